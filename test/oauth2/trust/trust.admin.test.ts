import { describe, expect, it } from 'bun:test'
import { exportJWK } from 'jose'
import { ADMIN_BASE, admin, expectError, sdkError, storeFactories, type TestServer } from '../../_harness.ts'
import { keyPair } from '../client_auth/_assertion.ts'
import { sharedServers, TRUSTED_ISSUER, trustIssuer } from '../_oauth2.ts'

const PATH = '/admin/trust/grants/jwt-bearer/issuers'
const DAY = 86_400_000

const inADay = (s: TestServer) => new Date(s.clock() + DAY).toISOString()

/** A valid trustOAuth2JwtGrantIssuer body for `jwk`, which `over` changes (an undefined member is left out). */
const bodyOf = (s: TestServer, jwk: object, over: Record<string, unknown> = {}) =>
  JSON.stringify({ issuer: TRUSTED_ISSUER, subject: 'alice', scope: ['read'], jwk, expires_at: inADay(s), ...over })

for (const factory of storeFactories()) {
  describe(`trust API of the jwt-bearer grant (${factory.name})`, () => {
    const server = sharedServers(factory)

    it('answers an empty list with 200 [] and a first-page link', async () => {
      const s = await server({ 'urls.self.issuer': 'https://empty.test' })
      const res = await s.hydra.oauth2.listTrustedOAuth2JwtGrantIssuers()
      expect(res.status).toBe(200)
      expect(res.data).toEqual([])
      expect(res.headers.link).toBe(`<${PATH}?page_size=250>; rel="first"`)
    })

    it('trusts, gets, lists and deletes a relationship with Hydra’s operations and shapes', async () => {
      const s = await server()
      const key = await keyPair('ES256', 'lifecycle-key')
      const { data: created, status, headers } = await s.hydra.oauth2.trustOAuth2JwtGrantIssuer({
        trustOAuth2JwtGrantIssuer: {
          issuer: 'https://lifecycle.test',
          subject: 'alice@example.com',
          scope: ['openid', 'offline'],
          jwk: key.jwk as never,
          expires_at: '2026-03-01T12:00:00.600+01:00',
        },
      })
      expect(status).toBe(201)
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        issuer: 'https://lifecycle.test',
        subject: 'alice@example.com',
        allow_any_subject: false,
        scope: ['openid', 'offline'],
        public_key: { set: 'https://lifecycle.test', kid: 'lifecycle-key' },
        created_at: '2026-01-01T00:00:00Z',
        expires_at: '2026-03-01T11:00:01Z',
      })
      expect(headers.location).toBe(`${PATH}/${created.id}`)

      const { data: got } = await s.hydra.oauth2.getTrustedOAuth2JwtGrantIssuer({ id: created.id! })
      expect(got).toEqual(created)
      const { data: listed } = await s.hydra.oauth2.listTrustedOAuth2JwtGrantIssuers({ issuer: 'https://lifecycle.test' })
      expect(listed).toEqual([created])

      const deleted = await s.hydra.oauth2.deleteTrustedOAuth2JwtGrantIssuer({ id: created.id! })
      expect(deleted.status).toBe(204)
      expect(await sdkError(s.hydra.oauth2.getTrustedOAuth2JwtGrantIssuer({ id: created.id! }))).toMatchObject({ status: 404, body: { error: 'not_found' } })
      expect(await sdkError(s.hydra.oauth2.deleteTrustedOAuth2JwtGrantIssuer({ id: created.id! }))).toMatchObject({ status: 404, body: { error: 'not_found' } })
      expect((await s.hydra.oauth2.listTrustedOAuth2JwtGrantIssuers({ issuer: 'https://lifecycle.test' })).data).toEqual([])
    })

    it('trusts an issuer for any subject', async () => {
      const s = await server()
      const key = await keyPair('EdDSA', 'any-key')
      const trust = await trustIssuer(s, key.jwk, { issuer: 'https://any.test', subject: undefined, allow_any_subject: true, scope: [] })
      expect(trust).toMatchObject({ subject: '', allow_any_subject: true, scope: [], public_key: { set: 'https://any.test', kid: 'any-key' } })
    })

    it('refuses the same issuer, subject and key id twice with 409, but not for another subject', async () => {
      const s = await server()
      const key = await keyPair('ES256', 'twice-key')
      await trustIssuer(s, key.jwk, { issuer: 'https://twice.test' })
      const again = await sdkError(trustIssuer(s, key.jwk, { issuer: 'https://twice.test', scope: ['other'] }))
      expect(again).toMatchObject({ status: 409, body: { error: 'conflict' } })
      expect(again.body.error_description).toContain('"https://twice.test" is already trusted for subject "alice" with key "twice-key"')
      await trustIssuer(s, key.jwk, { issuer: 'https://twice.test', subject: 'bob' })
      await trustIssuer(s, key.jwk, { issuer: 'https://twice.test', subject: undefined, allow_any_subject: true })
      expect(await sdkError(trustIssuer(s, key.jwk, { issuer: 'https://twice.test', subject: undefined, allow_any_subject: true }))).toMatchObject({
        status: 409,
      })
      expect((await s.hydra.oauth2.listTrustedOAuth2JwtGrantIssuers({ issuer: 'https://twice.test' })).data).toHaveLength(3)
    })

    it('pages the list by page_size and page_token with Link headers, filtered by issuer', async () => {
      const s = await server()
      const key = await keyPair('ES256', 'page-key')
      const created = []
      for (const subject of ['s1', 's2', 's3']) created.push(await trustIssuer(s, key.jwk, { issuer: 'https://paged.test', subject }))
      await trustIssuer(s, key.jwk, { issuer: 'https://unrelated.test' })
      const first = await s.hydra.oauth2.listTrustedOAuth2JwtGrantIssuers({ issuer: 'https://paged.test', pageSize: 2 })
      expect(first.data).toHaveLength(2)
      const link = first.headers.link as string
      const next = /<([^>]+)>; rel="next"/.exec(link)![1]!
      expect(link).toStartWith(`<${PATH}?issuer=https%3A%2F%2Fpaged.test&page_size=2>; rel="first",`)
      const pageToken = new URL(next, ADMIN_BASE).searchParams.get('page_token')!
      const second = await s.hydra.oauth2.listTrustedOAuth2JwtGrantIssuers({ issuer: 'https://paged.test', pageSize: 2, pageToken })
      expect(second.data).toHaveLength(1)
      expect(second.headers.link).not.toContain('rel="next"')
      expect([...first.data, ...second.data].map((t) => t.id).sort()).toEqual(created.map((t) => t.id).sort())
    })

    it('keeps the trusted key out of the key sets and the published JWKS', async () => {
      const s = await server()
      const key = await keyPair('ES256', 'private-to-trust')
      await trustIssuer(s, key.jwk, { issuer: 'hydra.openid.id-token' })
      const jwks = (await (await s.publicFetch('http://localhost/.well-known/jwks.json')).json()) as { keys: { kid: string }[] }
      expect(jwks.keys.map((k) => k.kid)).not.toContain('private-to-trust')
      const { data } = await s.hydra.jwk.getJsonWebKeySet({ set: 'hydra.openid.id-token' })
      expect(data.keys!.map((k) => k.kid)).not.toContain('private-to-trust')
    })

    it('refuses bad bodies with 400 and the reason', async () => {
      const s = await server()
      const key = await keyPair('ES256', 'bad-body-key')
      const pub = key.jwk
      const privateJwk = { ...(await exportJWK(key.key as CryptoKey)), kid: 'bad-body-key', alg: 'ES256', use: 'sig' }
      const cases: [string, string][] = [
        ['not json', 'valid JSON'],
        ['[]', 'JSON object'],
        [bodyOf(s, pub, { issuer: undefined }), '"issuer" is required'],
        [bodyOf(s, pub, { issuer: 42 }), '"issuer" is required'],
        [bodyOf(s, pub, { subject: undefined }), 'One of "subject" or "allow_any_subject" must be set'],
        [bodyOf(s, pub, { subject: '', allow_any_subject: false }), 'One of "subject" or "allow_any_subject" must be set'],
        [bodyOf(s, pub, { allow_any_subject: true }), '"subject" and "allow_any_subject" must not both be set'],
        [bodyOf(s, pub, { allow_any_subject: 'yes' }), '"allow_any_subject" must be a boolean'],
        [bodyOf(s, pub, { subject: ['alice'] }), '"subject" must be a string'],
        [bodyOf(s, pub, { scope: 'read write' }), '"scope" must be an array of strings'],
        [bodyOf(s, pub, { scope: ['read write'] }), '"scope" must hold scope tokens'],
        [bodyOf(s, pub, { scope: ['"quoted"'] }), '"scope" must hold scope tokens'],
        [bodyOf(s, pub, { jwk: undefined }), '"jwk" must be a JSON Web Key object'],
        [bodyOf(s, pub, { jwk: 'key' }), '"jwk" must be a JSON Web Key object'],
        [bodyOf(s, { ...pub, kid: undefined }), 'jwk: "kid"'],
        [bodyOf(s, { ...pub, alg: 'HS256' }), 'jwk: "alg" must be one of'],
        [bodyOf(s, { kty: 'oct', k: 'c2VjcmV0', kid: 'k', alg: 'HS256', use: 'sig' }), 'jwk: symmetric'],
        [bodyOf(s, { ...pub, x: 'AAAA' }), 'jwk: the public key is not valid'],
        [bodyOf(s, { ...pub, use: 'enc' }), 'jwk: "use" must be "sig"'],
        [bodyOf(s, privateJwk), 'jwk: a private key was given'],
        [bodyOf(s, pub, { expires_at: undefined }), '"expires_at" is required'],
        [bodyOf(s, pub, { expires_at: 'tomorrow' }), '"expires_at" must be an RFC 3339 date-time'],
        [bodyOf(s, pub, { expires_at: 1767225600 }), '"expires_at" is required'],
        [bodyOf(s, pub, { expires_at: '2025-12-31T23:59:59Z' }), '"expires_at" must be in the future'],
        [bodyOf(s, pub, { issuer: 'x'.repeat(256) }), 'The "issuer" must be a string of 1 to 255'],
      ]
      for (const [body, reason] of cases) {
        const res = await admin(s, 'POST', PATH, body)
        expect(await expectError(res, 400, 'invalid_request')).toContain(reason)
      }
      expect((await s.hydra.oauth2.listTrustedOAuth2JwtGrantIssuers({ issuer: TRUSTED_ISSUER })).data).toEqual([])
    })

    it('refuses a malformed id, page size and page token with 400, and an unknown id with 404', async () => {
      const s = await server()
      await expectError(await admin(s, 'GET', `${PATH}/not-a-uuid`), 400, 'invalid_request', /must be a UUID/)
      await expectError(await admin(s, 'DELETE', `${PATH}/not-a-uuid`), 400, 'invalid_request', /must be a UUID/)
      await expectError(await admin(s, 'GET', `${PATH}/%E0%A4%A`), 400, 'invalid_request')
      await expectError(await admin(s, 'GET', `${PATH}/00000000-0000-4000-8000-000000000000`), 404, 'not_found')
      await expectError(await admin(s, 'GET', `${PATH}?page_size=0`), 400, 'invalid_request', /page_size/)
      await expectError(await admin(s, 'GET', `${PATH}?page_token=forged`), 400, 'invalid_request', /page_token is invalid/)
      await expectError(await admin(s, 'GET', `${PATH}?issuer=a&issuer=b`), 400, 'invalid_request', /only be included once/)
    })
  })
}
