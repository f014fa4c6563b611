import { describe, expect, it } from 'bun:test'
import { SignJWT, generateKeyPair, type JWTPayload } from 'jose'
import {
  Browser,
  createLogoutClient,
  endSessionUrl,
  locationOf,
  POST_LOGOUT_URL,
  RP_LOGGED_OUT,
  signIn,
  startLogoutServer,
  storeFactories,
  type SignedIn,
  type TestServer,
} from '../_harness.ts'
import { ID_TOKEN_SET } from '../../src/protocol/services.ts'
import { expectErrorPage } from './_flow.ts'

/** Signs `claims` (on top of a valid hint's) with the server's ID-token key. */
async function forgeHint(s: TestServer, base: SignedIn, claims: JWTPayload, remove: string[] = []): Promise<string> {
  const key = await s.ctx.keys.signingKey(ID_TOKEN_SET)
  const payload: JWTPayload = { ...base.claims, ...claims }
  for (const name of remove) delete payload[name]
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.key)
}

for (const factory of storeFactories()) {
  describe(`end-session endpoint bad input (${factory.name})`, () => {
    async function signedIn() {
      const s = await startLogoutServer(factory)
      const client = await createLogoutClient(s)
      const other = await createLogoutClient(s, { post_logout_redirect_uris: ['https://other.test/bye'] })
      const browser = new Browser(s)
      const session = await signIn(s, browser, client)
      return { s, client, other, browser, session }
    }

    it('refuses hints that are not ID tokens of this issuer, and logs nobody out', async () => {
      const { s, browser, session } = await signedIn()
      const foreign = await generateKeyPair('ES256')
      const foreignSigned = await new SignJWT(session.claims).setProtectedHeader({ alg: 'ES256', kid: 'x' }).sign(foreign.privateKey)
      const [h, , sig] = session.idToken.split('.')
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...session.claims, sub: 'mallory' })).toString('base64url')}.${sig}`
      const cases: [string, string][] = [
        ['bad signature', foreignSigned],
        ['tampered payload', tampered],
        ['not a JWT', 'not-a-jwt'],
        ['another issuer', await forgeHint(s, session, { iss: 'https://other-issuer.test' })],
        ['iat in the future', await forgeHint(s, session, { iat: Math.floor(s.clock() / 1000) + 600 })],
        ['no iat', await forgeHint(s, session, {}, ['iat'])],
        ['no sid', await forgeHint(s, session, {}, ['sid'])],
        ['no sub', await forgeHint(s, session, {}, ['sub'])],
        ['unknown audience', await forgeHint(s, session, { aud: ['no-such-client'] })],
      ]
      for (const [name, hint] of cases) {
        const res = await browser.open(endSessionUrl({ id_token_hint: hint }))
        expect({ name, status: res.status }).toEqual({ name, status: 400 })
        await expectErrorPage(res, 400, 'invalid_request')
      }
      expect(await s.store.flows.getLoginSession(session.sid)).not.toBeNull()
    })

    it('refuses a post_logout_redirect_uri the client has not registered, exactly', async () => {
      const { browser, session } = await signedIn()
      for (const uri of ['https://other.test/bye', `${RP_LOGGED_OUT}/`, `${RP_LOGGED_OUT}?x=1`, 'https://evil.test/']) {
        const res = await browser.open(endSessionUrl({ id_token_hint: session.idToken, post_logout_redirect_uri: uri }))
        const html = await expectErrorPage(res, 400, 'invalid_request')
        expect(html).toContain('post_logout_redirect_uri')
      }
    })

    it('refuses a client_id that the hint is not for', async () => {
      const { browser, session, other } = await signedIn()
      const res = await browser.open(endSessionUrl({ id_token_hint: session.idToken, client_id: other.client_id }))
      await expectErrorPage(res, 400, 'invalid_request')
    })

    it('refuses state or post_logout_redirect_uri without id_token_hint', async () => {
      const { s, browser, session } = await signedIn()
      await expectErrorPage(await browser.open(endSessionUrl({ state: 'abcdefgh' })), 400, 'invalid_request')
      await expectErrorPage(await browser.open(endSessionUrl({ post_logout_redirect_uri: RP_LOGGED_OUT })), 400, 'invalid_request')
      expect(await s.store.flows.getLoginSession(session.sid)).not.toBeNull()
    })

    it('refuses duplicate parameters and malformed form bodies', async () => {
      const { browser, session } = await signedIn()
      const dup = `${endSessionUrl({ id_token_hint: session.idToken })}&id_token_hint=${session.idToken}`
      await expectErrorPage(await browser.open(dup), 400, 'invalid_request')
      await expectErrorPage(await browser.open(endSessionUrl(), 'id_token_hint=%zz'), 400, 'invalid_request')
    })

    it('sends errors to urls.error when configured', async () => {
      const s = await startLogoutServer(factory, { 'urls.error': 'https://login.test/error' })
      const browser = new Browser(s)
      const res = await browser.open(endSessionUrl({ state: 'abcdefgh' }))
      const url = locationOf(res)
      expect(`${url.origin}${url.pathname}`).toBe('https://login.test/error')
      expect(url.searchParams.get('error')).toBe('invalid_request')
    })

    it('shows server_error when urls.logout is not configured', async () => {
      const s = await startLogoutServer(factory, { 'urls.logout': null })
      const client = await createLogoutClient(s)
      const browser = new Browser(s)
      const session = await signIn(s, browser, client)
      const html = await expectErrorPage(await browser.open(endSessionUrl({ id_token_hint: session.idToken })), 500, 'server_error')
      expect(html).toContain('urls.logout is not configured')
      expect(await s.store.flows.getLoginSession(session.sid)).not.toBeNull()
    })

    it('uses the built-in logout page registered under --dev when urls.logout is not configured', async () => {
      const s = await startLogoutServer(factory, { 'urls.logout': null, dev: true })
      const client = await createLogoutClient(s)
      const browser = new Browser(s)
      const session = await signIn(s, browser, client)
      const url = locationOf(await browser.open(endSessionUrl({ id_token_hint: session.idToken })))
      expect(`${url.origin}${url.pathname}`).toBe('https://gatehouse.test/oauth2/fallbacks/logout')
      expect(url.searchParams.get('logout_challenge')).toBeTruthy()

      const prod = await startLogoutServer(factory, { 'urls.logout': null })
      const prodClient = await createLogoutClient(prod)
      const prodBrowser = new Browser(prod)
      const prodSession = await signIn(prod, prodBrowser, prodClient)
      await expectErrorPage(await prodBrowser.open(endSessionUrl({ id_token_hint: prodSession.idToken })), 500, 'server_error')
    })

    it('lets an OP-initiated logout without a session just go to urls.post_logout_redirect', async () => {
      const s = await startLogoutServer(factory)
      const res = await new Browser(s).open(endSessionUrl())
      expect(locationOf(res).href).toBe(POST_LOGOUT_URL)
    })
  })
}
