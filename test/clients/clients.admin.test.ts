import { describe, expect, it } from 'bun:test'
import { generateKeyPairSync } from 'node:crypto'
import type { OAuth2Client } from '@ory/hydra-client'
import { admin, createClient, expectError, sdkError, startServer, storeFactories } from '../_harness.ts'
import { storedIds } from './_clients.ts'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const PBKDF2_HASH = /^\$pbkdf2-sha256\$i=1000,l=32\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/

const publicJwk = () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' })
  return { kty: kty!, crv: crv!, x: x!, y: y!, kid: 'k1', use: 'sig', alg: 'ES256' }
}

/** Every writable field of Hydra's oAuth2Client, set to a non-default value. */
const fullClient = (): OAuth2Client => ({
  client_id: 'full-client',
  client_name: 'Full client',
  client_secret: 'a-long-enough-secret',
  redirect_uris: ['https://app.example/cb', 'http://127.0.0.1:8080/cb', 'com.example.app:/oauth2redirect'],
  grant_types: ['authorization_code', 'refresh_token', 'implicit', 'client_credentials'],
  response_types: ['code', 'code id_token', 'token'],
  scope: 'openid offline_access photos.read',
  audience: ['https://api.example'],
  owner: 'team-a',
  policy_uri: 'https://app.example/policy',
  tos_uri: 'https://app.example/tos',
  client_uri: 'https://app.example',
  logo_uri: 'https://app.example/logo.png',
  contacts: ['ops@app.example'],
  allowed_cors_origins: ['https://app.example', 'https://app.example:8443'],
  subject_type: 'public',
  jwks: { keys: [publicJwk()] },
  token_endpoint_auth_method: 'client_secret_post',
  token_endpoint_auth_signing_alg: 'ES256',
  request_uris: ['https://app.example/request.jwt'],
  request_object_signing_alg: 'RS256',
  userinfo_signed_response_alg: 'RS256',
  frontchannel_logout_uri: 'https://app.example/fc',
  frontchannel_logout_session_required: true,
  backchannel_logout_uri: 'https://app.example/bc',
  backchannel_logout_session_required: true,
  post_logout_redirect_uris: ['https://app.example/bye'],
  metadata: { tier: 'gold', nested: { a: [1, 2] } },
  access_token_strategy: 'jwt',
  skip_consent: true,
  skip_logout_consent: true,
  authorization_code_grant_access_token_lifespan: '1h',
  authorization_code_grant_id_token_lifespan: '30m',
  authorization_code_grant_refresh_token_lifespan: '720h',
  client_credentials_grant_access_token_lifespan: '15m',
  implicit_grant_access_token_lifespan: '10m',
  implicit_grant_id_token_lifespan: '10m',
  jwt_bearer_grant_access_token_lifespan: '5m',
  refresh_token_grant_access_token_lifespan: '1h',
  refresh_token_grant_id_token_lifespan: '1h',
  refresh_token_grant_refresh_token_lifespan: '720h',
  device_authorization_grant_access_token_lifespan: '1h',
  device_authorization_grant_id_token_lifespan: '1h',
  device_authorization_grant_refresh_token_lifespan: '720h',
})

for (const factory of storeFactories()) {
  describe(`admin clients (${factory.name})`, () => {
    it('creates a client with Hydra’s defaults and returns the generated secret once', async () => {
      const s = await startServer(factory)
      const { data, status } = await s.hydra.oauth2.createOAuth2Client({ oAuth2Client: {} })
      expect(status).toBe(201)
      expect(data.client_id).toMatch(UUID_V4)
      expect(data.client_secret).toMatch(/^[A-Za-z0-9_-]{26}$/)
      expect(data).toMatchObject({
        client_name: '',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        subject_type: 'public',
        userinfo_signed_response_alg: 'none',
        client_secret_expires_at: 0,
        redirect_uris: [],
        audience: [],
        contacts: [],
        allowed_cors_origins: [],
        request_uris: [],
        post_logout_redirect_uris: [],
        metadata: {},
        skip_consent: false,
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
      })
      const got = await s.hydra.oauth2.getOAuth2Client({ id: data.client_id! })
      expect(got.data.client_secret).toBeUndefined()
      const { client_secret: _, ...withoutSecret } = data
      expect(got.data).toEqual(withoutSecret)
      const row = (await s.store.clients.get(data.client_id!))!
      expect(row.secret_hash).toMatch(PBKDF2_HASH)
      expect(JSON.stringify(row)).not.toContain(data.client_secret!)
      const record = (await s.ctx.clients.get(data.client_id!))!
      expect(await s.ctx.clients.verifySecret(record, data.client_secret!)).toBe(true)
    })

    it('round-trips every field of oAuth2Client', async () => {
      const s = await startServer(factory)
      const input = fullClient()
      const { data } = await s.hydra.oauth2.createOAuth2Client({ oAuth2Client: input })
      expect(data).toEqual({ ...input, client_secret_expires_at: 0, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' })
      const { client_secret: _, ...stored } = data
      expect((await s.hydra.oauth2.getOAuth2Client({ id: 'full-client' })).data).toEqual(stored)
    })

    it('lets an admin choose the id and answers 409 when it is taken', async () => {
      const s = await startServer(factory)
      await s.hydra.oauth2.createOAuth2Client({ oAuth2Client: { client_id: 'mine', client_secret: 'first-secret' } })
      const err = await sdkError(s.hydra.oauth2.createOAuth2Client({ oAuth2Client: { client_id: 'mine', client_secret: 'other-secret' } }))
      expect({ status: err.status, error: err.body.error }).toEqual({ status: 409, error: 'conflict' })
      const record = (await s.ctx.clients.get('mine'))!
      expect(await s.ctx.clients.verifySecret(record, 'first-secret')).toBe(true)
      expect(await s.ctx.clients.verifySecret(record, 'other-secret')).toBe(false)
    })

    it('ignores unknown and read-only fields on input', async () => {
      const s = await startServer(factory)
      const c = await createClient(s, {
        client_id: 'ro',
        unknown_field: 1,
        created_at: '2001-01-01T00:00:00Z',
        updated_at: '2001-01-01T00:00:00Z',
        client_secret_expires_at: 99,
        registration_access_token: 'x',
        registration_client_uri: 'https://evil.example',
      }, { raw: true })
      expect(c).not.toHaveProperty('unknown_field')
      expect(c).not.toHaveProperty('registration_access_token')
      expect(c).not.toHaveProperty('registration_client_uri')
      expect(c).toMatchObject({ created_at: '2026-01-01T00:00:00Z', client_secret_expires_at: 0 })
    })

    it('creates public clients without a secret and rejects one given to them', async () => {
      const s = await startServer(factory)
      const c = await createClient(s, { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: ['https://spa.example/cb'] }, { raw: true })
      expect(c.client_secret).toBeUndefined()
      expect((await s.store.clients.get('spa'))!.secret_hash).toBeNull()
      const res = await admin(s, 'POST', '/admin/clients', { client_id: 'spa2', token_endpoint_auth_method: 'none', client_secret: 'secret-123' })
      await expectError(res, 400, 'invalid_client_metadata', /must not have a client_secret/)
      expect(await storedIds(s)).toEqual(['spa'])
    })

    it('replaces a client with PUT, keeping the secret when none is given', async () => {
      const s = await startServer(factory)
      const created = await createClient(s, { client_id: 'put', client_name: 'before', scope: 'a', owner: 'o' }, { raw: true })
      s.clock.advance(60_000)
      const { data } = await s.hydra.oauth2.setOAuth2Client({ id: 'put', oAuth2Client: { client_name: 'after', redirect_uris: ['https://x.example/cb'] } })
      expect(data).toMatchObject({ client_id: 'put', client_name: 'after', scope: '', owner: '', redirect_uris: ['https://x.example/cb'] })
      expect(data.client_secret).toBeUndefined()
      expect(data.created_at).toBe('2026-01-01T00:00:00Z')
      expect(data.updated_at).toBe('2026-01-01T00:01:00Z')
      let record = (await s.ctx.clients.get('put'))!
      expect(await s.ctx.clients.verifySecret(record, created.client_secret!)).toBe(true)

      const withSecret = await s.hydra.oauth2.setOAuth2Client({ id: 'put', oAuth2Client: { client_secret: 'brand-new-secret' } })
      expect(withSecret.data.client_secret).toBe('brand-new-secret')
      record = (await s.ctx.clients.get('put'))!
      expect(await s.ctx.clients.verifySecret(record, 'brand-new-secret')).toBe(true)
      expect(await s.ctx.clients.verifySecret(record, created.client_secret!)).toBe(false)
    })

    it('answers 404 for PUT, PATCH, GET and DELETE of an unknown client and 400 for a mismatched id', async () => {
      const s = await startServer(factory)
      for (const call of [
        () => s.hydra.oauth2.getOAuth2Client({ id: 'nope' }),
        () => s.hydra.oauth2.setOAuth2Client({ id: 'nope', oAuth2Client: {} }),
        () => s.hydra.oauth2.patchOAuth2Client({ id: 'nope', jsonPatch: [] }),
        () => s.hydra.oauth2.deleteOAuth2Client({ id: 'nope' }),
        () => s.hydra.oauth2.setOAuth2ClientLifespans({ id: 'nope', oAuth2ClientTokenLifespans: {} }),
      ]) {
        const err = await sdkError(call())
        expect({ status: err.status, error: err.body.error }).toEqual({ status: 404, error: 'not_found' })
      }
      await createClient(s, { client_id: 'here' }, { raw: true })
      await expectError(await admin(s, 'PUT', '/admin/clients/here', { client_id: 'elsewhere' }), 400, 'invalid_request')
      expect(await storedIds(s)).toEqual(['here'])
    })

    it('patches with RFC 6902 and validates the result like a PUT', async () => {
      const s = await startServer(factory)
      const created = await createClient(s, { client_id: 'p', client_name: 'old', redirect_uris: ['https://a.example/cb'], metadata: { a: 1 } }, { raw: true })
      const { data } = await s.hydra.oauth2.patchOAuth2Client({
        id: 'p',
        jsonPatch: [
          { op: 'replace', path: '/client_name', value: 'new' },
          { op: 'add', path: '/redirect_uris/-', value: 'https://b.example/cb' },
          { op: 'add', path: '/metadata/b', value: true },
          { op: 'remove', path: '/metadata/a' },
          { op: 'copy', from: '/client_name', path: '/owner' },
          { op: 'test', path: '/client_name', value: 'new' },
        ],
      })
      expect(data).toMatchObject({
        client_name: 'new',
        owner: 'new',
        redirect_uris: ['https://a.example/cb', 'https://b.example/cb'],
        metadata: { b: true },
      })
      expect(data.client_secret).toBeUndefined()
      let record = (await s.ctx.clients.get('p'))!
      expect(await s.ctx.clients.verifySecret(record, created.client_secret!)).toBe(true)

      const before = (await s.hydra.oauth2.getOAuth2Client({ id: 'p' })).data
      const failing = [
        [[{ op: 'test', path: '/client_name', value: 'other' }], 400, 'invalid_request'],
        [[{ op: 'replace', path: '/no/such/path', value: 1 }], 400, 'invalid_request'],
        [[{ op: 'replace', path: 'client_name', value: 'x' }], 400, 'invalid_request'],
        [[{ op: 'replace', path: '/client_id', value: 'q' }], 400, 'invalid_request'],
        [[{ op: 'jump', path: '/client_name' }], 400, 'invalid_request'],
        [[{ op: 'replace', path: '/client_name', value: 'ok' }, { op: 'add', path: '/redirect_uris/-', value: 'https://c.example/cb#frag' }], 400, 'invalid_redirect_uri'],
        [[{ op: 'replace', path: '/grant_types', value: 'implicit' }], 400, 'invalid_client_metadata'],
        [[{ op: 'replace', path: '', value: [] }], 400, 'invalid_request'],
      ] as const
      for (const [patch, status, error] of failing) {
        await expectError(await admin(s, 'PATCH', '/admin/clients/p', patch), status, error)
      }
      expect((await s.hydra.oauth2.getOAuth2Client({ id: 'p' })).data).toEqual(before)

      const patched = await s.hydra.oauth2.patchOAuth2Client({ id: 'p', jsonPatch: [{ op: 'replace', path: '/client_secret', value: 'patched-secret' }] })
      expect(patched.data.client_secret).toBe('patched-secret')
      record = (await s.ctx.clients.get('p'))!
      expect(await s.ctx.clients.verifySecret(record, 'patched-secret')).toBe(true)
      expect(await s.ctx.clients.verifySecret(record, created.client_secret!)).toBe(false)
    })

    it('deletes a client and every token issued to it', async () => {
      const s = await startServer(factory)
      await createClient(s, { client_id: 'gone' }, { raw: true })
      await createClient(s, { client_id: 'stays' }, { raw: true })
      const row = (client_id: string, signature: string) => ({
        signature, request_id: `r-${signature}`, client_id, subject: 'u', granted_scope: [], granted_audience: [],
        session_data: 'x', active: true, requested_at: 0, expires_at: Date.UTC(2027, 0, 1), flow_id: null,
        first_used_at: null, used_times: 0, access_token_signature: null,
      })
      for (const kind of ['access_token', 'refresh_token', 'authorization_code'] as const) {
        await s.store.tokens.insert(kind, row('gone', `${kind}-1`))
        await s.store.tokens.insert(kind, row('stays', `${kind}-2`))
      }
      expect(await s.ctx.clients.get('gone')).not.toBeNull()
      const { status } = await s.hydra.oauth2.deleteOAuth2Client({ id: 'gone' })
      expect(status).toBe(204)
      for (const kind of ['access_token', 'refresh_token', 'authorization_code'] as const) {
        expect(await s.store.tokens.get(kind, `${kind}-1`)).toBeNull()
        expect(await s.store.tokens.get(kind, `${kind}-2`)).not.toBeNull()
      }
      expect(await s.ctx.clients.get('gone')).toBeNull()
      const err = await sdkError(s.hydra.oauth2.getOAuth2Client({ id: 'gone' }))
      expect({ status: err.status, error: err.body.error }).toEqual({ status: 404, error: 'not_found' })
      expect(await storedIds(s)).toEqual(['stays'])
    })

    it('sets per-grant lifespans and leaves the rest of the client alone', async () => {
      const s = await startServer(factory)
      await createClient(s, { client_id: 'life', client_name: 'n', refresh_token_grant_id_token_lifespan: '2h' }, { raw: true })
      const { data } = await s.hydra.oauth2.setOAuth2ClientLifespans({
        id: 'life',
        oAuth2ClientTokenLifespans: { authorization_code_grant_access_token_lifespan: '1h30m', client_credentials_grant_access_token_lifespan: '45s' },
      })
      expect(data).toMatchObject({
        client_name: 'n',
        authorization_code_grant_access_token_lifespan: '1h30m',
        client_credentials_grant_access_token_lifespan: '45s',
        refresh_token_grant_id_token_lifespan: null,
      })
      const bad = await admin(s, 'PUT', '/admin/clients/life/lifespans', { implicit_grant_access_token_lifespan: 'soon' })
      await expectError(bad, 400, 'invalid_client_metadata', /implicit_grant_access_token_lifespan/)
      const wrongType = await admin(s, 'PUT', '/admin/clients/life/lifespans', { implicit_grant_access_token_lifespan: 3600 })
      await expectError(wrongType, 400, 'invalid_client_metadata', /implicit_grant_access_token_lifespan/)
      const got = (await s.hydra.oauth2.getOAuth2Client({ id: 'life' })).data
      expect(got.authorization_code_grant_access_token_lifespan).toBe('1h30m')
      expect(got.implicit_grant_access_token_lifespan).toBeNull()
    })

    it('addresses chosen ids that need percent-encoding and rejects broken encodings', async () => {
      const s = await startServer(factory)
      for (const id of ['a b', 'a/b', 'ä%x', 'q?x']) {
        await createClient(s, { client_id: id }, { raw: true })
        const { data } = await s.hydra.oauth2.getOAuth2Client({ id })
        expect(data.client_id).toBe(id)
      }
      await expectError(await admin(s, 'GET', '/admin/clients/%E0%A4%A'), 400, 'invalid_request', /percent-encoded/)
      await expectError(await admin(s, 'DELETE', '/admin/clients/%FF'), 400, 'invalid_request', /percent-encoded/)
    })

    it('gives client_credentials-only clients no response types', async () => {
      const s = await startServer(factory)
      const { data } = await s.hydra.oauth2.createOAuth2Client({ oAuth2Client: { grant_types: ['client_credentials'] } })
      expect(data.response_types).toEqual([])
    })

    it('serves the v1 paths without the /admin prefix', async () => {
      const s = await startServer(factory)
      const res = await s.adminFetch('http://localhost/clients', { method: 'POST', body: JSON.stringify({ client_id: 'v1' }) })
      expect(res.status).toBe(201)
      expect(((await (await s.adminFetch('http://localhost/clients/v1')).json()) as { client_id: string }).client_id).toBe('v1')
    })
  })
}
