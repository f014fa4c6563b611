import { describe, expect, it } from 'bun:test'
import { Configuration, MetadataApi, OAuth2Api, OidcApi, WellknownApi } from '@ory/hydra-client'
import {
  Browser,
  REDIRECT_URI,
  authorizeUrl,
  createClient,
  createCodeClient,
  fetchOf,
  ISSUER,
  runFlow,
  startFlowServer,
  storeFactories,
  type TestServer,
} from '../_harness.ts'

/** Ory's SDK wired to the public API, authenticating as `client` with client_secret_basic when given. */
function publicSdk(s: TestServer, client?: { client_id: string; client_secret: string }) {
  const config = new Configuration({
    basePath: ISSUER,
    ...(client ? { username: client.client_id, password: client.client_secret } : {}),
    baseOptions: { adapter: 'fetch', env: { fetch: fetchOf(s.publicApp), Request, Response } },
  })
  return { oauth2: new OAuth2Api(config), oidc: new OidcApi(config), wellknown: new WellknownApi(config), metadata: new MetadataApi(config) }
}

/** A redirect is not followed by the SDK's fetch: it arrives as an error carrying the 302. */
async function redirectOf(call: Promise<unknown>): Promise<URL> {
  const err = await call.then(
    () => null,
    (e: unknown) => e,
  )
  const res = (err as { response?: { status: number; headers: Record<string, unknown> } }).response
  expect(res?.status).toBe(302)
  return new URL(String(res!.headers.location))
}

for (const factory of storeFactories()) {
  describe(`the public API through Ory's SDK (${factory.name})`, () => {
    it('answers isAlive and isReady on both ports', async () => {
      const s = await startFlowServer(factory)
      for (const metadata of [s.hydra.metadata, publicSdk(s).metadata]) {
        expect((await metadata.isAlive()).data).toEqual({ status: 'ok' })
        expect((await metadata.isReady()).data).toEqual({ status: 'ok' })
      }
    })

    it('serves discovery and the JWKS', async () => {
      const s = await startFlowServer(factory)
      const sdk = publicSdk(s)
      const { data: doc } = await sdk.oidc.discoverOidcConfiguration()
      expect(doc.issuer).toBe(ISSUER)
      expect(doc.token_endpoint).toBe(`${ISSUER}/oauth2/token`)
      const { data: jwks } = await sdk.wellknown.discoverJsonWebKeys()
      expect(jwks.keys?.length).toBeGreaterThan(0)
      expect(jwks.keys!.every((k) => k.d === undefined)).toBe(true)
    })

    it('exchanges client credentials, serves userinfo of a flow, and revokes a token', async () => {
      const s = await startFlowServer(factory)
      const machine = await createClient(s, { scope: 'read' })
      const { data: cc } = await publicSdk(s, machine).oauth2.oauth2TokenExchange({ grantType: 'client_credentials' })
      expect(cc.token_type).toBe('bearer')
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: cc.access_token! })).data).toMatchObject({ active: true, client_id: machine.client_id })

      const client = await createCodeClient(s, { scope: 'openid offline' })
      const browser = new Browser(s)
      const callback = await runFlow(s, browser, authorizeUrl(client, { scope: 'openid offline' }))
      const code = new URL(callback.headers.get('location')!).searchParams.get('code')!
      const sdk = publicSdk(s, client)
      const { data: tokens } = await sdk.oauth2.oauth2TokenExchange({ grantType: 'authorization_code', code, redirectUri: REDIRECT_URI, clientId: client.client_id })
      expect(tokens.id_token).toBeString()
      const { data: userinfo } = await sdk.oidc.getOidcUserInfo({ headers: { authorization: `Bearer ${tokens.access_token}` } })
      expect(userinfo.sub).toBe('alice')

      await sdk.oauth2.revokeOAuth2Token({ token: tokens.refresh_token!, clientId: client.client_id })
      const { data: introspected } = await s.hydra.oauth2.introspectOAuth2Token({ token: tokens.access_token! })
      expect(introspected.active).toBe(false)
    })

    it('starts an authorization and an OP-initiated logout', async () => {
      const s = await startFlowServer(factory, { 'urls.post_logout_redirect': 'https://login.test/signed-out' })
      const client = await createCodeClient(s)
      const sdk = publicSdk(s)
      const login = await redirectOf(
        sdk.oauth2.oAuth2Authorize({ params: { client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', state: 'abcdefgh' } }),
      )
      expect(login.searchParams.get('login_challenge')).toBeTruthy()
      expect((await redirectOf(sdk.oidc.revokeOidcSession())).href).toBe('https://login.test/signed-out')
    })
  })
}
