import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import * as openid from 'openid-client'
import {
  basic,
  Browser,
  introspect,
  ISSUER,
  local,
  postForm,
  REDIRECT_URI,
  sdkError,
  signIn,
  startFlowServer,
  storeFactories,
  TOKEN_URL,
  tokenCount,
  via,
  type CodeClient,
  type TestServer,
} from '../../_harness.ts'
import { ACCESS_TOKEN_PREFIX, opaqueSignature } from '../../../src/oauth2/tokens/opaque.ts'
import { bearer, ENABLED, manage, postRegistration, register, startRegistrationServer, type Registered } from './_registration.ts'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const OPAQUE = /^ory_at_[A-Za-z0-9_-]{51}\.[A-Za-z0-9_-]{43}$/

/** openid-client's options that route https://gatehouse.test to the public app. */
const openidVia = (s: TestServer) => ({
  [openid.customFetch]: (url: string, init: openid.CustomFetchOptions) => s.publicFetch(local(url), init as RequestInit),
})

/** The signature an opaque access token of this server is known by. */
const signatureOf = (s: TestServer, token: string) => opaqueSignature(s.ctx.config.secrets.system, ACCESS_TOKEN_PREFIX, token)

/** Every column of every client row, as text. */
async function storedClientText(s: TestServer): Promise<string> {
  return JSON.stringify(await s.store.driver.all('SELECT * FROM clients'))
}

for (const factory of storeFactories()) {
  describe(`dynamic client registration (${factory.name})`, () => {
    it('registers a client with openid-client, which then gets a token with the client_credentials grant', async () => {
      const s = await startRegistrationServer(factory)
      const metadata = { client_name: 'Robot', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'read write' }
      const config = await openid.dynamicClientRegistration(new URL(ISSUER), metadata, undefined, openidVia(s))
      const registered = config.clientMetadata() as unknown as Registered
      expect(registered.client_id).toMatch(UUID_V4)
      expect(registered).toMatchObject({
        ...metadata,
        client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{26}$/),
        client_secret_expires_at: 0,
        registration_access_token: expect.stringMatching(OPAQUE),
        registration_client_uri: `${ISSUER}/oauth2/register/${registered.client_id}`,
      })
      expect(registered).not.toHaveProperty('metadata')

      const tokens = await openid.clientCredentialsGrant(config, { scope: 'read' })
      expect(tokens.scope).toBe('read')
      expect(await introspect(s, tokens.access_token)).toMatchObject({ active: true, client_id: registered.client_id, scope: 'read' })
    })

    it('registers a client with oauth4webapi at the advertised endpoint, which then completes a code flow', async () => {
      const s = await startFlowServer(factory, ENABLED)
      const discovered = await oauth.processDiscoveryResponse(new URL(ISSUER), await oauth.discoveryRequest(new URL(ISSUER), via(s)))
      expect(discovered.registration_endpoint).toBe(`${ISSUER}/oauth2/register`)
      const res = await oauth.dynamicClientRegistrationRequest(
        discovered,
        { redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid offline_access' },
        via(s),
      )
      const client = (await oauth.processDynamicClientRegistrationResponse(res)) as unknown as CodeClient
      expect(client.token_endpoint_auth_method).toBe('client_secret_basic')

      const signedIn = await signIn(s, new Browser(s), client)
      expect(signedIn.claims).toMatchObject({ iss: ISSUER, sub: 'alice', aud: [client.client_id] })
      expect(signedIn.refreshToken).toBeString()
    })

    it('reads, replaces and deletes a registration through Ory’s SDK, rotating the token on each replace', async () => {
      const s = await startRegistrationServer(factory)
      const created = await s.hydra.oidc.createOidcDynamicClient({
        oAuth2Client: { client_name: 'SDK client', grant_types: ['client_credentials'], scope: 'read', contacts: ['ops@rp.example'] },
      })
      expect(created.status).toBe(201)
      const id = created.data.client_id!
      const first = created.data.registration_access_token!
      const secret = created.data.client_secret!
      expect(first).toMatch(OPAQUE)

      const { data: read } = await s.hydra.oidc.getOidcDynamicClient({ id }, bearer(first))
      expect(read).toMatchObject({ client_id: id, client_name: 'SDK client', scope: 'read', contacts: ['ops@rp.example'] })
      expect(read.registration_client_uri).toBe(created.data.registration_client_uri!)
      for (const hidden of ['client_secret', 'registration_access_token', 'metadata']) expect(read).not.toHaveProperty(hidden)

      // What the SDK read goes back whole, with one change.
      const { data: updated } = await s.hydra.oidc.setOidcDynamicClient({ id, oAuth2Client: { ...read, client_name: 'Renamed' } }, bearer(first))
      const second = updated.registration_access_token!
      expect(updated).toMatchObject({ client_id: id, client_name: 'Renamed', scope: 'read', contacts: ['ops@rp.example'] })
      expect(updated).not.toHaveProperty('client_secret')
      expect(second).toMatch(OPAQUE)
      expect(second).not.toBe(first)
      expect(await sdkError(s.hydra.oidc.getOidcDynamicClient({ id }, bearer(first)))).toMatchObject({ status: 401, body: { error: 'invalid_token' } })
      expect((await s.hydra.oidc.getOidcDynamicClient({ id }, bearer(second))).data.client_name).toBe('Renamed')
      expect((await s.hydra.oauth2.getOAuth2Client({ id })).data.client_name).toBe('Renamed')

      // The secret was kept: the client still gets tokens with it.
      const tokenRes = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials', scope: 'read' }, { authorization: basic(id, secret) })
      expect(tokenRes.status).toBe(200)
      const { access_token } = (await tokenRes.json()) as { access_token: string }

      const deleted = await s.hydra.oidc.deleteOidcDynamicClient({ id }, bearer(second))
      expect(deleted.status).toBe(204)
      expect(await sdkError(s.hydra.oidc.getOidcDynamicClient({ id }, bearer(second)))).toMatchObject({ status: 401, body: { error: 'invalid_token' } })
      expect(await sdkError(s.hydra.oauth2.getOAuth2Client({ id }))).toMatchObject({ status: 404 })
      expect(await tokenCount(s, 'access_token', id)).toBe(0)
      expect((await introspect(s, access_token)).active).toBe(false)
      const after = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials', scope: 'read' }, { authorization: basic(id, secret) })
      expect(after.status).toBe(401)
      expect(((await after.json()) as { error: string }).error).toBe('invalid_client')
    })

    it('gives a registrant that names no scope oidc.dynamic_client_registration.default_scope', async () => {
      const s = await startRegistrationServer(factory)
      const registered = await register(s, { grant_types: ['client_credentials'] })
      expect(registered.scope).toBe('offline_access offline openid')
      const replaced = await manage(s, 'PUT', registered.registration_client_uri, registered.registration_access_token, { client_name: 'x' })
      expect(((await replaced.json()) as { scope: string }).scope).toBe('offline_access offline openid')

      const configured = await startRegistrationServer(factory, { 'oidc.dynamic_client_registration.default_scope': ['read', 'write'] })
      expect((await register(configured, { scope: '' })).scope).toBe('read write')
      expect((await register(configured, { scope: 'photos' })).scope).toBe('photos')
      // The admin API keeps its own default.
      expect((await configured.hydra.oauth2.createOAuth2Client({ oAuth2Client: {} })).data.scope).toBe('')
    })

    it('assigns the client id itself and ignores members it does not know', async () => {
      const s = await startRegistrationServer(factory)
      const registered = await register(s, { client_id: 'chosen-id', client_name: 'Mine', software_version: '1.2', x_custom: { a: 1 } })
      expect(registered.client_id).toMatch(UUID_V4)
      expect(registered.client_name).toBe('Mine')
      expect(registered).not.toHaveProperty('software_version')
      expect(registered).not.toHaveProperty('x_custom')
      expect(await s.store.clients.get('chosen-id')).toBeNull()
    })

    it('returns no secret to a public client and one to a client_secret_jwt client', async () => {
      const s = await startRegistrationServer(factory)
      const pub = await register(s, { token_endpoint_auth_method: 'none', redirect_uris: ['https://rp.example/cb'] })
      expect(pub).not.toHaveProperty('client_secret')
      expect(pub.registration_access_token).toMatch(OPAQUE)
      const jwt = await register(s, { token_endpoint_auth_method: 'client_secret_jwt', grant_types: ['client_credentials'] })
      expect(jwt.client_secret).toMatch(/^[A-Za-z0-9_-]{26}$/)
    })

    it('answers without caching, since answers carry secrets', async () => {
      const s = await startRegistrationServer(factory)
      const res = await postRegistration(s, {})
      expect(res.status).toBe(201)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(res.headers.get('pragma')).toBe('no-cache')
      const registered = (await res.json()) as Registered
      const read = await manage(s, 'GET', registered.registration_client_uri, registered.registration_access_token)
      expect(read.status).toBe(200)
      expect(read.headers.get('cache-control')).toBe('no-store')
    })

    it('keeps only the HMAC signature of the registration access token', async () => {
      const s = await startRegistrationServer(factory)
      const registered = await register(s)
      const token = registered.registration_access_token
      const row = await s.store.clients.get(registered.client_id)
      expect(row!.registration_access_token_signature).toBe(signatureOf(s, token))
      const stored = await storedClientText(s)
      // The token's random part, which its HMAC signature does not reveal, is nowhere.
      expect(stored).not.toContain(token.slice('ory_at_'.length, token.indexOf('.')))
      // Neither is it an access token of any token table.
      expect(await tokenCount(s, 'access_token')).toBe(0)
      expect((await introspect(s, token)).active).toBe(false)

      const replaced = (await (await manage(s, 'PUT', registered.registration_client_uri, token, {})).json()) as Registered
      expect((await s.store.clients.get(registered.client_id))!.registration_access_token_signature).toBe(
        signatureOf(s, replaced.registration_access_token),
      )
      expect(await storedClientText(s)).not.toContain(replaced.registration_access_token.slice(0, replaced.registration_access_token.indexOf('.')))
    })

    it('accepts a registration access token after the system secret was rotated', async () => {
      const s = await startRegistrationServer(factory)
      const registered = await register(s)
      const rotated = await startRegistrationServer(factory, { 'secrets.system': ['a-brand-new-system-secret', s.ctx.config.secrets.system[0]] })
      const row = (await s.store.clients.get(registered.client_id))!
      await rotated.store.clients.create(row)
      const read = await manage(rotated, 'GET', registered.registration_client_uri, registered.registration_access_token)
      expect(read.status).toBe(200)
    })
  })
}
