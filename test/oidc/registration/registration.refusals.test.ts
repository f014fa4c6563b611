import { describe, expect, it } from 'bun:test'
import { admin, basic, createClient, expectError, ISSUER, postForm, rows, sdkError, startServer, storeFactories, TOKEN_URL } from '../../_harness.ts'
import { mintOpaque } from '../../../src/oauth2/tokens/opaque.ts'
import { bearer, manage, postRegistration, register, REGISTER_URL, startRegistrationServer } from './_registration.ts'

const NO_SUCH_CLIENT = 'The requested OAuth 2.0 client does not exist or you provided incorrect credentials.'

/** A 401 of RFC 6750 §3.1 for a bad registration access token: invalid_token, told in WWW-Authenticate too. */
async function expectInvalidToken(res: Response) {
  expect(res.headers.get('www-authenticate')).toStartWith('Bearer error="invalid_token"')
  await expectError(res, 401, 'invalid_token', NO_SUCH_CLIENT)
}

for (const factory of storeFactories()) {
  describe(`dynamic client registration refusals (${factory.name})`, () => {
    it('answers 404 on every registration endpoint while it is disabled (the default), whatever the request', async () => {
      const s = await startServer(factory)
      await expectError(await postRegistration(s, {}), 404, 'not_found', 'Dynamic client registration is not enabled.')
      await expectError(await postRegistration(s, '{not json'), 404, 'not_found')
      for (const method of ['GET', 'PUT', 'DELETE']) {
        await expectError(await manage(s, method, `${ISSUER}/oauth2/register/some-id`, 'ory_at_x.y', {}), 404, 'not_found')
      }
      expect(await sdkError(s.hydra.oidc.createOidcDynamicClient({ oAuth2Client: {} }))).toMatchObject({ status: 404, body: { error: 'not_found' } })
      expect(await rows(s, 'clients')).toBe(0)
      const doc = (await (await s.publicFetch('http://localhost/.well-known/openid-configuration')).json()) as object
      expect(doc).not.toHaveProperty('registration_endpoint')
    })

    it('refuses a registrant choosing its own secret with invalid_client_metadata', async () => {
      const s = await startRegistrationServer(factory)
      const res = await postRegistration(s, { client_secret: 'my-own-secret-value' })
      await expectError(res, 400, 'invalid_client_metadata', 'It is not allowed to choose your own OAuth2 Client secret.')
      expect(await rows(s, 'clients')).toBe(0)
      // An empty secret chooses nothing.
      expect((await register(s, { client_secret: '' })).client_secret).toMatch(/^[A-Za-z0-9_-]{26}$/)
    })

    const adminOnly: [string, unknown][] = [
      ['metadata', { tier: 'gold' }],
      ['metadata', {}],
      ['access_token_strategy', 'jwt'],
      ['skip_consent', true],
      ['skip_logout_consent', true],
      ['authorization_code_grant_access_token_lifespan', '8760h'],
      ['client_credentials_grant_access_token_lifespan', '1m'],
      ['refresh_token_grant_refresh_token_lifespan', '1h'],
    ]
    for (const [field, value] of adminOnly) {
      it(`refuses ${field}=${JSON.stringify(value)} from a registrant with invalid_client_metadata`, async () => {
        const s = await startRegistrationServer(factory)
        const res = await postRegistration(s, { client_name: 'x', [field]: value })
        await expectError(res, 400, 'invalid_client_metadata', `Field ${field} cannot be set through dynamic client registration.`)
        expect(await rows(s, 'clients')).toBe(0)
      })
    }

    it('accepts the empty values of admin-only fields, as Ory’s SDK sends them', async () => {
      const s = await startRegistrationServer(factory)
      const registered = await register(s, {
        skip_consent: false,
        skip_logout_consent: null,
        metadata: null,
        access_token_strategy: '',
        authorization_code_grant_access_token_lifespan: null,
      })
      expect(registered).toMatchObject({ skip_consent: false, skip_logout_consent: null, authorization_code_grant_access_token_lifespan: null })
      expect(registered).not.toHaveProperty('access_token_strategy')
    })

    it('refuses malformed bodies with invalid_request and ill-typed metadata with invalid_client_metadata', async () => {
      const s = await startRegistrationServer(factory)
      await expectError(await postRegistration(s, '{"client_name": '), 400, 'invalid_request', 'valid JSON')
      await expectError(await postRegistration(s, '[]'), 400, 'invalid_request', 'JSON object')
      await expectError(await postRegistration(s, ''), 400, 'invalid_request')
      await expectError(await postRegistration(s, '{"scope": "a", "scope": "b"}'), 400, 'invalid_request', 'more than once')
      await expectError(await postRegistration(s, { redirect_uris: 'https://rp.example/cb' }), 400, 'invalid_client_metadata', 'redirect_uris')
      await expectError(await postRegistration(s, { grant_types: ['magic'] }), 400, 'invalid_client_metadata')
      await expectError(await postRegistration(s, { token_endpoint_auth_method: 'tls_client_auth' }), 400, 'invalid_client_metadata')
      expect(await rows(s, 'clients')).toBe(0)
    })

    it('applies the admin API’s redirect URI rules, refusing with invalid_redirect_uri (RFC 7591 §3.2.2)', async () => {
      const s = await startRegistrationServer(factory)
      for (const uri of ['http://rp.example/cb', 'https://rp.example/cb#frag', 'not a uri', 'javascript:alert(1)']) {
        await expectError(await postRegistration(s, { redirect_uris: [uri] }), 400, 'invalid_redirect_uri')
      }
      expect(await rows(s, 'clients')).toBe(0)
      expect((await register(s, { redirect_uris: ['http://127.0.0.1:8080/cb', 'https://rp.example/cb'] })).redirect_uris).toEqual([
        'http://127.0.0.1:8080/cb',
        'https://rp.example/cb',
      ])
      const registered = await register(s)
      const res = await manage(s, 'PUT', registered.registration_client_uri, registered.registration_access_token, { redirect_uris: ['http://rp.example/cb'] })
      await expectError(res, 400, 'invalid_redirect_uri')
      // A refused update rotates nothing.
      expect((await manage(s, 'GET', registered.registration_client_uri, registered.registration_access_token)).status).toBe(200)
    })

    it('answers 401 invalid_token for a missing, wrong or foreign registration access token', async () => {
      const s = await startRegistrationServer(factory)
      const a = await register(s, { client_name: 'a' })
      const b = await register(s, { client_name: 'b' })
      const forged = mintOpaque(['another-system-secret-0123'], 'ory_at_', s.clock()).token
      const wellFormed = mintOpaque(s.ctx.config.secrets.system, 'ory_at_', s.clock()).token
      for (const method of ['GET', 'PUT', 'DELETE']) {
        // RFC 6750 §3.1: no credentials, a challenge without an error code.
        const missing = await manage(s, method, a.registration_client_uri, undefined, {})
        expect(missing.headers.get('www-authenticate')).toBe('Bearer')
        await expectError(missing, 401, 'invalid_token')
        await expectInvalidToken(await manage(s, method, a.registration_client_uri, b.registration_access_token, {}))
        await expectInvalidToken(await manage(s, method, a.registration_client_uri, forged, {}))
        await expectInvalidToken(await manage(s, method, a.registration_client_uri, wellFormed, {}))
        await expectInvalidToken(await manage(s, method, a.registration_client_uri, 'not-a-token', {}))
        await expectInvalidToken(await manage(s, method, `${ISSUER}/oauth2/register/unknown-client`, a.registration_access_token, {}))
        await expectError(await manage(s, method, a.registration_client_uri, 'two words', {}), 400, 'invalid_request')
      }
      expect(await sdkError(s.hydra.oidc.getOidcDynamicClient({ id: a.client_id }, bearer(b.registration_access_token)))).toMatchObject({
        status: 401,
        body: { error: 'invalid_token' },
      })
      // Nothing changed: both tokens still manage their own clients.
      expect(((await (await manage(s, 'GET', a.registration_client_uri, a.registration_access_token)).json()) as { client_name: string }).client_name).toBe('a')
      expect((await manage(s, 'GET', b.registration_client_uri, b.registration_access_token)).status).toBe(200)
    })

    it('never lets a registration access token manage a client created on the admin API', async () => {
      const s = await startRegistrationServer(factory)
      const registered = await register(s)
      const adminClient = await createClient(s)
      const uri = `${ISSUER}/oauth2/register/${adminClient.client_id}`
      for (const method of ['GET', 'PUT', 'DELETE']) {
        await expectInvalidToken(await manage(s, method, uri, registered.registration_access_token, {}))
      }
      expect(await s.store.clients.get(adminClient.client_id)).not.toBeNull()
    })

    it('reads the body of an update only once the token is good', async () => {
      const s = await startRegistrationServer(factory)
      const registered = await register(s)
      await expectInvalidToken(await manage(s, 'PUT', registered.registration_client_uri, 'ory_at_wrong.token', '{not json'))
      await expectError(await manage(s, 'PUT', registered.registration_client_uri, registered.registration_access_token, '{not json'), 400, 'invalid_request')
    })

    it('stops the old token once an update rotated it, and lets one of two concurrent updates win', async () => {
      const s = await startRegistrationServer(factory)
      const r = await register(s)
      const [one, two] = await Promise.all(
        ['one', 'two'].map((name) => manage(s, 'PUT', r.registration_client_uri, r.registration_access_token, { client_name: name })),
      )
      const statuses = [one!.status, two!.status].sort()
      expect(statuses).toEqual([200, 401])
      const winner = (await (one!.status === 200 ? one! : two!).json()) as { client_name: string; registration_access_token: string }
      await expectInvalidToken(await manage(s, 'GET', r.registration_client_uri, r.registration_access_token))
      await expectInvalidToken(await manage(s, 'DELETE', r.registration_client_uri, r.registration_access_token))
      const read = await manage(s, 'GET', r.registration_client_uri, winner.registration_access_token)
      expect(((await read.json()) as { client_name: string }).client_name).toBe(winner.client_name)
    })

    it('takes back the current client_secret and refuses any other on update (RFC 7592 §2.2)', async () => {
      const s = await startRegistrationServer(factory)
      const r = await register(s, { grant_types: ['client_credentials'], scope: 'read' })
      const other = await manage(s, 'PUT', r.registration_client_uri, r.registration_access_token, { ...r, client_secret: 'a-secret-of-my-own' })
      await expectError(other, 400, 'invalid_client_metadata', 'It is not allowed to choose your own OAuth2 Client secret.')
      const same = await manage(s, 'PUT', r.registration_client_uri, r.registration_access_token, { ...r, client_name: 'same secret' })
      expect(same.status).toBe(200)
      expect(await same.json()).not.toHaveProperty('client_secret')
      const token = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials', scope: 'read' }, { authorization: basic(r.client_id, r.client_secret!) })
      expect(token.status).toBe(200)
    })

    it('refuses an update naming another client_id', async () => {
      const s = await startRegistrationServer(factory)
      const r = await register(s)
      const res = await manage(s, 'PUT', r.registration_client_uri, r.registration_access_token, { client_id: 'someone-else' })
      await expectError(res, 400, 'invalid_request', 'client_id')
      expect((await manage(s, 'PUT', r.registration_client_uri, r.registration_access_token, { client_id: r.client_id })).status).toBe(200)
    })

    it('keeps what the operator set on the admin API through a registrant’s update, which may send it back unchanged', async () => {
      const s = await startRegistrationServer(factory)
      const r = await register(s, { client_name: 'before' })
      const patch = [
        { op: 'replace', path: '/metadata', value: { reviewed: true } },
        { op: 'replace', path: '/skip_consent', value: true },
        { op: 'add', path: '/access_token_strategy', value: 'jwt' },
        { op: 'replace', path: '/client_credentials_grant_access_token_lifespan', value: '5m' },
      ]
      expect((await admin(s, 'PATCH', `/admin/clients/${r.client_id}`, patch)).status).toBe(200)

      const read = (await (await manage(s, 'GET', r.registration_client_uri, r.registration_access_token)).json()) as Record<string, unknown>
      expect(read).toMatchObject({ skip_consent: true, access_token_strategy: 'jwt', client_credentials_grant_access_token_lifespan: '5m' })
      expect(read).not.toHaveProperty('metadata')
      const res = await manage(s, 'PUT', r.registration_client_uri, r.registration_access_token, { ...read, client_name: 'after' })
      expect(res.status).toBe(200)
      const { registration_access_token: second } = (await res.json()) as { registration_access_token: string }

      // Left out, they are kept all the same; changed, they are refused.
      const again = await manage(s, 'PUT', r.registration_client_uri, second, { client_name: 'again' })
      expect(again.status).toBe(200)
      const { registration_access_token: third } = (await again.json()) as { registration_access_token: string }
      const { data } = await s.hydra.oauth2.getOAuth2Client({ id: r.client_id })
      expect(data).toMatchObject({
        client_name: 'again',
        metadata: { reviewed: true },
        skip_consent: true,
        access_token_strategy: 'jwt',
        client_credentials_grant_access_token_lifespan: '5m',
      })
      const changed = await manage(s, 'PUT', r.registration_client_uri, third, { access_token_strategy: 'opaque' })
      await expectError(changed, 400, 'invalid_client_metadata', 'access_token_strategy')
    })

    it('keeps a client’s registration access token through admin updates, and the admin API never shows it', async () => {
      const s = await startRegistrationServer(factory)
      const r = await register(s, { grant_types: ['client_credentials'] })
      const { data } = await s.hydra.oauth2.setOAuth2Client({ id: r.client_id, oAuth2Client: { client_name: 'by admin', grant_types: ['client_credentials'] } })
      expect(data.client_name).toBe('by admin')
      expect((await admin(s, 'POST', `/admin/clients/${r.client_id}/secrets/rotate`)).status).toBe(200)
      expect((await manage(s, 'GET', r.registration_client_uri, r.registration_access_token)).status).toBe(200)
      // The admin API never shows it.
      expect(JSON.stringify((await s.hydra.oauth2.getOAuth2Client({ id: r.client_id })).data)).not.toContain('registration')
    })

    it('refuses a form-encoded registration, and the admin API serves no registration endpoint', async () => {
      const s = await startRegistrationServer(factory)
      const res = await postForm(s.publicFetch, REGISTER_URL, { client_name: 'x' })
      await expectError(res, 400, 'invalid_request', 'valid JSON')
      expect((await s.adminFetch('http://localhost/oauth2/register', { method: 'POST', body: '{}' })).status).toBe(404)
      expect(await rows(s, 'clients')).toBe(0)
    })
  })
}
