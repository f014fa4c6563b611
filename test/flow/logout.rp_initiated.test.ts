import { describe, expect, it } from 'bun:test'
import { decodeProtectedHeader } from 'jose'
import {
  authorizeUrl,
  Browser,
  createLogoutClient,
  END_SESSION,
  endSessionUrl,
  ISSUER,
  locationOf,
  logoutChallengeOf,
  POST_LOGOUT_URL,
  receiverFactory,
  REDIRECT_URI,
  RP_LOGGED_OUT,
  signIn,
  startLogoutServer,
  storeFactories,
  verifyLogoutToken,
} from '../_harness.ts'
import { SESSION_COOKIE } from './_flow.ts'

const receiver = receiverFactory()

for (const factory of storeFactories()) {
  describe(`RP-initiated logout (${factory.name})`, () => {
    it('ends the session through the logout app, the front-channel page and the back channel', async () => {
      const s = await startLogoutServer(factory)
      const rpA = receiver()
      const rpB = receiver()
      const a = await createLogoutClient(s, {
        frontchannel_logout_uri: 'https://rp-a.test/fc',
        frontchannel_logout_session_required: true,
        backchannel_logout_uri: rpA.url,
      })
      const b = await createLogoutClient(s, { frontchannel_logout_uri: 'https://rp-b.test/logout?x=1', backchannel_logout_uri: rpB.url })
      const c = await createLogoutClient(s)
      const browser = new Browser(s)
      const inA = await signIn(s, browser, a)
      const inB = await signIn(s, browser, b)
      await signIn(s, browser, c)
      expect(inB.sid).toBe(inA.sid)
      expect(browser.cookies.has(SESSION_COOKIE)).toBe(true)

      const start = await browser.open(endSessionUrl({ id_token_hint: inA.idToken, post_logout_redirect_uri: RP_LOGGED_OUT, state: 'rp-state-1' }))
      const challenge = logoutChallengeOf(start)
      const { data: request } = await s.hydra.oauth2.getOAuth2LogoutRequest({ logoutChallenge: challenge })
      expect(request).toMatchObject({ challenge, subject: 'alice', sid: inA.sid, rp_initiated: true })
      expect(request.client?.client_id).toBe(a.client_id)
      expect(request.request_url).toStartWith(`${ISSUER}/oauth2/sessions/logout?`)
      expect(Date.parse(request.expires_at!) - Date.parse(request.requested_at!)).toBe(30 * 60 * 1000)

      const { data: accepted } = await s.hydra.oauth2.acceptOAuth2LogoutRequest({ logoutChallenge: challenge })
      expect(accepted.redirect_to).toStartWith(`${ISSUER}/oauth2/sessions/logout?logout_verifier=`)
      const page = await browser.open(accepted.redirect_to)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toStartWith('text/html')
      expect(page.headers.get('x-frame-options')).toBe('DENY')
      expect(page.headers.get('cache-control')).toBe('no-store')
      const csp = page.headers.get('content-security-policy')!
      expect(csp).toContain("frame-ancestors 'none'")
      const frameSrc = csp.split('; ').find((d) => d.startsWith('frame-src '))!
      expect(frameSrc.split(' ').slice(1).sort()).toEqual(['https://rp-a.test', 'https://rp-b.test'])
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/)
      const html = await page.text()
      const frames = [...html.matchAll(/<iframe src="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'))
      expect(frames.sort()).toEqual([
        `https://rp-a.test/fc?iss=${encodeURIComponent(ISSUER)}&sid=${inA.sid}`,
        'https://rp-b.test/logout?x=1',
      ])
      expect(html).toContain(`<a id="next" href="${RP_LOGGED_OUT}?state=rp-state-1">`)
      expect(page.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=;`) && c.includes('Max-Age=0'))).toBe(true)
      expect(browser.cookies.has(SESSION_COOKIE)).toBe(false)
      expect(await s.store.flows.getLoginSession(inA.sid)).toBeNull()

      // The page was answered before any client was notified.
      expect(rpA.calls.length + rpB.calls.length).toBe(0)
      await s.scheduler.drain()
      expect(rpA.calls.length).toBe(1)
      expect(rpB.calls.length).toBe(1)
      expect(rpA.calls[0]!.contentType).toBe('application/x-www-form-urlencoded')
      const token = rpA.calls[0]!.params.get('logout_token')!
      const { payload } = await verifyLogoutToken(s, token, a.client_id)
      expect(decodeProtectedHeader(token).typ).toBe('logout+jwt')
      expect(payload).toMatchObject({ sid: inA.sid, sub: 'alice', aud: [a.client_id], events: { 'http://schemas.openid.net/event/backchannel-logout': {} } })
      expect(payload).not.toHaveProperty('nonce')
      expect(payload.exp! - payload.iat!).toBe(120)
      await verifyLogoutToken(s, rpB.calls[0]!.params.get('logout_token')!, b.client_id)

      // Logged out: prompt=none finds no session any more.
      const again = await browser.open(authorizeUrl(a, { prompt: 'none' }))
      const back = locationOf(again)
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI)
      expect(back.searchParams.get('error')).toBe('login_required')
    })

    it('is advertised in discovery with both logout channels', async () => {
      const s = await startLogoutServer(factory)
      const doc = (await (await s.publicFetch('http://localhost/.well-known/openid-configuration')).json()) as Record<string, unknown>
      expect(doc).toMatchObject({
        end_session_endpoint: END_SESSION,
        frontchannel_logout_supported: true,
        frontchannel_logout_session_supported: true,
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
      })
    })

    it('redirects straight to the post-logout URI when no client has a front-channel URI, also over POST', async () => {
      const s = await startLogoutServer(factory)
      const client = await createLogoutClient(s)
      const browser = new Browser(s)
      const signedIn = await signIn(s, browser, client)
      const start = await browser.open(endSessionUrl(), { id_token_hint: signedIn.idToken, post_logout_redirect_uri: RP_LOGGED_OUT, state: 'xyz-state' })
      const { data } = await s.hydra.oauth2.acceptOAuth2LogoutRequest({ logoutChallenge: logoutChallengeOf(start) })
      const done = await browser.open(data.redirect_to)
      expect(locationOf(done).href).toBe(`${RP_LOGGED_OUT}?state=xyz-state`)
      expect(await s.store.flows.getLoginSession(signedIn.sid)).toBeNull()
    })

    it('accepts an expired id_token_hint and uses urls.post_logout_redirect without post_logout_redirect_uri', async () => {
      const s = await startLogoutServer(factory)
      const client = await createLogoutClient(s)
      const browser = new Browser(s)
      const signedIn = await signIn(s, browser, client)
      s.clock.advance(2 * 60 * 60 * 1000)
      const start = await browser.open(endSessionUrl({ id_token_hint: signedIn.idToken }))
      const { data } = await s.hydra.oauth2.acceptOAuth2LogoutRequest({ logoutChallenge: logoutChallengeOf(start) })
      expect(locationOf(await browser.open(data.redirect_to)).href).toBe(POST_LOGOUT_URL)
    })

    it('logs nobody out when the hint names another session than the browser’s', async () => {
      const s = await startLogoutServer(factory)
      const client = await createLogoutClient(s)
      const alice = new Browser(s)
      const bob = new Browser(s)
      const aliceIn = await signIn(s, alice, client)
      const bobIn = await signIn(s, bob, client, { login: { subject: 'bob' } })
      const res = await bob.open(endSessionUrl({ id_token_hint: aliceIn.idToken, post_logout_redirect_uri: RP_LOGGED_OUT, state: 'st-000001' }))
      expect(locationOf(res).href).toBe(`${RP_LOGGED_OUT}?state=st-000001`)
      expect(await s.store.flows.getLoginSession(aliceIn.sid)).not.toBeNull()
      expect(await s.store.flows.getLoginSession(bobIn.sid)).not.toBeNull()
      expect(bob.cookies.has(SESSION_COOKIE)).toBe(true)
    })

    it('just redirects when the hint’s session has already ended', async () => {
      const s = await startLogoutServer(factory)
      const client = await createLogoutClient(s)
      const browser = new Browser(s)
      const signedIn = await signIn(s, browser, client)
      await s.hydra.oauth2.revokeOAuth2LoginSessions({ sid: signedIn.sid })
      const res = await browser.open(endSessionUrl({ id_token_hint: signedIn.idToken }))
      expect(locationOf(res).href).toBe(POST_LOGOUT_URL)
    })
  })
}
