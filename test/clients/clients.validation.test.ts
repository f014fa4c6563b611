import { describe, expect, it } from 'bun:test'
import { generateKeyPairSync } from 'node:crypto'
import { admin, createClient, expectError, startServer, storeFactories, type TestServer } from '../_harness.ts'
import { storedIds } from './_clients.ts'

const ecKey = (withPrivate: boolean) => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return (withPrivate ? privateKey : publicKey).export({ format: 'jwk' })
}

type Case = [name: string, body: Record<string, unknown>, error: string, describes: RegExp]

const rejected: Case[] = [
  ['a relative redirect URI', { redirect_uris: ['/cb'] }, 'invalid_redirect_uri', /absolute/],
  ['a redirect URI with a fragment', { redirect_uris: ['https://a.example/cb#x'] }, 'invalid_redirect_uri', /fragment/],
  ['a plain http redirect URI to a public host', { redirect_uris: ['http://a.example/cb'] }, 'invalid_redirect_uri', /https/],
  ['a javascript: redirect URI', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri', /scheme/],
  ['a redirect URI with whitespace', { redirect_uris: ['https://a.example/cb\n'] }, 'invalid_redirect_uri', /absolute/],
  ['response type code without authorization_code', { grant_types: ['client_credentials'], response_types: ['code'] }, 'invalid_client_metadata', /authorization_code/],
  ['response type token without implicit', { response_types: ['token'] }, 'invalid_client_metadata', /implicit/],
  ['response type id_token without implicit', { response_types: ['id_token'] }, 'invalid_client_metadata', /implicit/],
  ['an unknown response type', { response_types: ['code foo'] }, 'invalid_client_metadata', /not supported/],
  ['an unknown grant type', { grant_types: ['password'] }, 'invalid_client_metadata', /password/],
  ['client_credentials for a public client', { token_endpoint_auth_method: 'none', grant_types: ['client_credentials', 'authorization_code'] }, 'invalid_client_metadata', /public clients/],
  ['an unknown auth method', { token_endpoint_auth_method: 'tls_client_auth' }, 'invalid_client_metadata', /token_endpoint_auth_method/],
  ['private_key_jwt without keys', { token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata', /jwks or jwks_uri/],
  ['both jwks and jwks_uri', { jwks: { keys: [ecKey(false)] }, jwks_uri: 'https://a.example/jwks' }, 'invalid_client_metadata', /both/],
  ['a private key in jwks', { jwks: { keys: [ecKey(true)] } }, 'invalid_client_metadata', /private/],
  ['a symmetric key in jwks', { jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, 'invalid_client_metadata', /public RSA, EC or OKP/],
  ['a broken key in jwks', { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] } }, 'invalid_client_metadata', /valid JSON Web Key/],
  ['a jwks without keys', { jwks: { foo: [] } }, 'invalid_client_metadata', /jwks/],
  ['a non-https jwks_uri', { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'ftp://a.example/jwks' }, 'invalid_client_metadata', /jwks_uri/],
  ['a plain http jwks_uri to a public host', { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://a.example/jwks' }, 'invalid_client_metadata', /jwks_uri must use https/],
  ['HS256 for private_key_jwt', { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://a.example/jwks', token_endpoint_auth_signing_alg: 'HS256' }, 'invalid_client_metadata', /token_endpoint_auth_signing_alg/],
  ['RS256 for client_secret_jwt', { token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'RS256' }, 'invalid_client_metadata', /HS256/],
  ['an unsupported subject type', { subject_type: 'pairwise' }, 'invalid_client_metadata', /pairwise/],
  ['a CORS origin with a path', { allowed_cors_origins: ['https://a.example/path'] }, 'invalid_client_metadata', /scheme:\/\/host/],
  ['a CORS origin with a trailing slash', { allowed_cors_origins: ['https://a.example/'] }, 'invalid_client_metadata', /scheme:\/\/host/],
  ['a CORS origin that is not http(s)', { allowed_cors_origins: ['ftp://a.example'] }, 'invalid_client_metadata', /scheme:\/\/host/],
  ['a relative post-logout redirect URI', { post_logout_redirect_uris: ['bye'] }, 'invalid_client_metadata', /post_logout_redirect_uri/],
  ['a post-logout redirect URI with a fragment', { post_logout_redirect_uris: ['https://a.example/bye#x'] }, 'invalid_client_metadata', /fragment/],
  ['a lifespan that is no duration', { implicit_grant_access_token_lifespan: '1 hour' }, 'invalid_client_metadata', /implicit_grant_access_token_lifespan/],
  ['a negative lifespan', { refresh_token_grant_refresh_token_lifespan: '-1h' }, 'invalid_client_metadata', /refresh_token_grant_refresh_token_lifespan/],
  ['an unknown access token strategy', { access_token_strategy: 'paseto' }, 'invalid_client_metadata', /access_token_strategy/],
  ['a five-character secret', { client_secret: '12345' }, 'invalid_client_metadata', /at least 6 characters/],
  ['an unsupported userinfo signing alg', { userinfo_signed_response_alg: 'HS256' }, 'invalid_client_metadata', /userinfo_signed_response_alg/],
  ['a scope with a quote', { scope: 'openid "x"' }, 'invalid_client_metadata', /Scope/],
  ['a non-https sector_identifier_uri', { sector_identifier_uri: 'http://a.example/s.json' }, 'invalid_client_metadata', /sector_identifier_uri/],
  ['a relative logo_uri', { logo_uri: 'logo.png' }, 'invalid_client_metadata', /logo_uri/],
  ['a client_id with a control character', { client_id: 'a\u0001b' }, 'invalid_client_metadata', /client_id/],
  ['redirect_uris as a string', { redirect_uris: 'https://a.example/cb' }, 'invalid_client_metadata', /redirect_uris/],
  ['grant_types with a number', { grant_types: [1] }, 'invalid_client_metadata', /grant_types/],
  ['skip_consent as a string', { skip_consent: 'yes' }, 'invalid_client_metadata', /skip_consent/],
  ['metadata as an array', { metadata: [1] }, 'invalid_client_metadata', /metadata/],
  ['client_name as a number', { client_name: 5 }, 'invalid_client_metadata', /client_name/],
  ['client_secret as a number', { client_secret: 123456 }, 'invalid_client_metadata', /client_secret/],
]

const accepted: [string, Record<string, unknown>][] = [
  ['http redirect URIs to localhost and loopback', { redirect_uris: ['http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:9/cb', 'http://app.localhost/cb'] }],
  ['custom-scheme redirect URIs', { redirect_uris: ['com.example.app:/callback', 'myapp://cb'] }],
  ['a loopback http jwks_uri', { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://127.0.0.1:9000/jwks' }],
  ['HS256 for client_secret_jwt', { token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'HS256' }],
  ['private_key_jwt with a public key', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ecKey(false)] }, token_endpoint_auth_signing_alg: 'ES256' }],
  ['hybrid response types with both grants', { grant_types: ['authorization_code', 'implicit'], response_types: ['code id_token', 'id_token token', 'code'] }],
  ['extension grants named by URI', { grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:example:custom-grant'], response_types: [] }],
  ['a client_credentials client without response types', { grant_types: ['client_credentials'] }],
  ['null for optional fields', { client_name: null, redirect_uris: null, metadata: null, jwks: null, skip_logout_consent: null, implicit_grant_id_token_lifespan: null }],
]

async function expectNothingStored(s: TestServer) {
  expect(await storedIds(s)).toEqual([])
}

for (const factory of storeFactories()) {
  describe(`client validation (${factory.name})`, () => {
    it('rejects invalid metadata with a 400 and a reason, storing nothing', async () => {
      const s = await startServer(factory)
      for (const [name, body, error, describes] of rejected) {
        const res = await admin(s, 'POST', '/admin/clients', body)
        const got = (await res.json()) as { error: string; error_description: string }
        expect({ name, status: res.status, error: got.error }).toEqual({ name, status: 400, error })
        expect(got.error_description).toMatch(describes)
      }
      await expectNothingStored(s)
    })

    it('accepts valid edge cases', async () => {
      const s = await startServer(factory)
      for (const [name, body] of accepted) {
        const res = await admin(s, 'POST', '/admin/clients', body)
        expect({ name, status: res.status }).toEqual({ name, status: 201 })
      }
    })

    it('allows plain http redirect URIs to any host in development mode', async () => {
      const s = await startServer(factory, { dev: true })
      await createClient(s, { redirect_uris: ['http://app.example/cb'] }, { raw: true })
    })

    it('rejects malformed bodies at every endpoint with a 4xx, changing nothing', async () => {
      const s = await startServer(factory)
      const existing = await createClient(s, { client_id: 'c', client_name: 'unchanged' }, { raw: true })
      const before = await (await admin(s, 'GET', '/admin/clients/c')).json()
      const huge = JSON.stringify({ client_name: 'x'.repeat((1 << 20) + 10) })
      const bodies: [string, string | Uint8Array, number, string][] = [
        ['garbage', 'not json at all', 400, 'invalid_request'],
        ['empty', '', 400, 'invalid_request'],
        ['a bare string', '"client"', 400, 'invalid_request'],
        ['truncated', '{"client_name": "x"', 400, 'invalid_request'],
        ['duplicated members', '{"client_name": "a", "client_name": "b"}', 400, 'invalid_request'],
        ['duplicated nested members', '{"metadata": {"a": 1, "\\u0061": 2}}', 400, 'invalid_request'],
        ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, 'invalid_request'],
        ['oversized', huge, 413, 'payload_too_large'],
      ]
      const targets: [string, string, boolean][] = [
        ['POST', '/admin/clients', false],
        ['PUT', '/admin/clients/c', false],
        ['PATCH', '/admin/clients/c', true],
        ['PUT', '/admin/clients/c/lifespans', false],
      ]
      for (const [method, path, isPatch] of targets) {
        for (const [name, body, status, error] of bodies) {
          const patchBody = isPatch && name === 'duplicated members' ? `[${body}]` : body
          const res = await s.adminFetch(`http://localhost${path}`, { method, body: patchBody })
          const got = (await res.json()) as { error: string }
          expect({ method, path, name, status: res.status, error: got.error }).toEqual({ method, path, name, status, error })
        }
      }
      await expectError(await admin(s, 'PATCH', '/admin/clients/c', { op: 'add' }), 400, 'invalid_request', /array/)
      await expectError(await admin(s, 'POST', '/admin/clients', [{}]), 400, 'invalid_request', /object/)
      expect(await (await admin(s, 'GET', '/admin/clients/c')).json()).toEqual(before)
      expect(await storedIds(s)).toEqual([existing.client_id])
    })
  })
}
