import { describe, expect, it } from 'bun:test'
import {
  Browser,
  createLogoutClient,
  endSessionUrl,
  expectError,
  locationOf,
  logoutChallengeOf,
  POST_LOGOUT_URL,
  RP_LOGGED_OUT,
  signIn,
  startLogoutServer,
  storeFactories,
  type LogoutServer,
} from '../_harness.ts'
import { expectErrorPage, SESSION_COOKIE } from './_flow.ts'

const REQUESTS = 'http://localhost/admin/oauth2/auth/requests/logout'

const admin = (s: LogoutServer, method: string, path: string) => s.adminFetch(`${REQUESTS}${path}`, { method })

/** `value` with one character of its middle flipped. */
const tamper = (value: string) => {
  const i = Math.floor(value.length / 2)
  return `${value.slice(0, i)}${value[i] === 'A' ? 'B' : 'A'}${value.slice(i + 1)}`
}

for (const factory of storeFactories()) {
  describe(`logout challenge admin API (${factory.name})`, () => {
    async function requested(opts: { rp?: boolean } = { rp: true }) {
      const s = await startLogoutServer(factory)
      const client = await createLogoutClient(s)
      const browser = new Browser(s)
      const session = await signIn(s, browser, client)
      const url = opts.rp ? endSessionUrl({ id_token_hint: session.idToken, post_logout_redirect_uri: RP_LOGGED_OUT, state: 'state-42x' }) : endSessionUrl()
      const challenge = logoutChallengeOf(await browser.open(url))
      return { s, client, browser, session, challenge }
    }

    it('serves an OP-initiated request under both parameter names, without a client', async () => {
      const { s, session, challenge } = await requested({ rp: false })
      const res = await admin(s, 'GET', `?challenge=${challenge}`)
      expect(res.status).toBe(200)
      const body = (await res.json()) as Record<string, unknown>
      expect(body).toMatchObject({ challenge, subject: 'alice', sid: session.sid, rp_initiated: false, client: null })
      const { data } = await s.hydra.oauth2.getOAuth2LogoutRequest({ logoutChallenge: challenge })
      expect(data).toEqual(body)
    })

    it('answers 410 with the earlier redirect once accepted', async () => {
      const { s, challenge } = await requested()
      const { data } = await s.hydra.oauth2.acceptOAuth2LogoutRequest({ logoutChallenge: challenge })
      for (const [method, path] of [['GET', ''], ['PUT', '/accept'], ['PUT', '/reject']] as const) {
        const res = await admin(s, method, `${path}?logout_challenge=${challenge}`)
        expect(res.status).toBe(410)
        expect(await res.json()).toEqual({ redirect_to: data.redirect_to })
      }
    })

    it('rejects with 204, keeps the session and refuses the challenge afterwards', async () => {
      const { s, session, challenge } = await requested()
      const res = await s.hydra.oauth2.rejectOAuth2LogoutRequest({ logoutChallenge: challenge })
      expect(res.status).toBe(204)
      for (const path of ['', '/accept']) {
        const again = await admin(s, path ? 'PUT' : 'GET', `${path}?logout_challenge=${challenge}`)
        expect(again.status).toBe(410)
        expect(await again.json()).toEqual({ redirect_to: `${RP_LOGGED_OUT}?state=state-42x` })
      }
      expect(await s.store.flows.getLoginSession(session.sid)).not.toBeNull()
    })

    it('refuses missing, tampered, expired and other-purpose challenges', async () => {
      const { s, challenge } = await requested()
      await expectError(await admin(s, 'GET', ''), 400, 'invalid_request')
      await expectError(await admin(s, 'GET', `?logout_challenge=${tamper(challenge)}`), 404, 'not_found')
      await expectError(await admin(s, 'PUT', `/accept?logout_challenge=${tamper(challenge)}`), 404, 'not_found')
      await expectError(await admin(s, 'PUT', `/reject?logout_challenge=not*base64`), 404, 'not_found')
      const login = await s.adminFetch(`http://localhost/admin/oauth2/auth/requests/login?login_challenge=${challenge}`)
      await expectError(login, 404, 'not_found')
      s.clock.advance(30 * 60 * 1000 + 1)
      await expectError(await admin(s, 'GET', `?logout_challenge=${challenge}`), 404, 'not_found')
      await expectError(await admin(s, 'PUT', `/accept?logout_challenge=${challenge}`), 404, 'not_found')
    })
  })

  describe(`logout verifier (${factory.name})`, () => {
    async function accepted(rp = true) {
      const s = await startLogoutServer(factory)
      const client = await createLogoutClient(s)
      const browser = new Browser(s)
      const session = await signIn(s, browser, client)
      const url = rp ? endSessionUrl({ id_token_hint: session.idToken }) : endSessionUrl()
      const challenge = logoutChallengeOf(await browser.open(url))
      const { data } = await s.hydra.oauth2.acceptOAuth2LogoutRequest({ logoutChallenge: challenge })
      const verifier = new URL(data.redirect_to).searchParams.get('logout_verifier')!
      return { s, client, browser, session, challenge, verifier, redirectTo: data.redirect_to }
    }

    it('is single use', async () => {
      const { s, browser, session, redirectTo } = await accepted()
      expect(locationOf(await browser.open(redirectTo)).href).toBe(POST_LOGOUT_URL)
      expect(await s.store.flows.getLoginSession(session.sid)).toBeNull()
      const html = await expectErrorPage(await browser.open(redirectTo), 403, 'access_denied')
      expect(html).toContain('already been used')
    })

    it('refuses tampered, expired and other-purpose verifiers and logs nobody out', async () => {
      const { s, browser, session, challenge, verifier } = await accepted()
      await expectErrorPage(await browser.open(endSessionUrl({ logout_verifier: tamper(verifier) })), 403, 'access_denied')
      await expectErrorPage(await browser.open(endSessionUrl({ logout_verifier: challenge })), 403, 'access_denied')
      await expectErrorPage(await browser.open(endSessionUrl({ logout_verifier: '' })), 403, 'access_denied')
      s.clock.advance(30 * 60 * 1000 + 1)
      await expectErrorPage(await browser.open(endSessionUrl({ logout_verifier: verifier })), 403, 'access_denied')
      expect(await s.store.flows.getLoginSession(session.sid)).not.toBeNull()
      expect(browser.cookies.has(SESSION_COOKIE)).toBe(true)
    })

    it('logs nobody out when another browser session brings the verifier', async () => {
      const { s, client, session, redirectTo } = await accepted()
      const bob = new Browser(s)
      const bobIn = await signIn(s, bob, client, { login: { subject: 'bob' } })
      expect(locationOf(await bob.open(redirectTo)).href).toBe(POST_LOGOUT_URL)
      expect(await s.store.flows.getLoginSession(session.sid)).not.toBeNull()
      expect(await s.store.flows.getLoginSession(bobIn.sid)).not.toBeNull()
      expect(bob.cookies.has(SESSION_COOKIE)).toBe(true)
    })

    it('needs the session cookie to complete an OP-initiated logout', async () => {
      const { s, session, redirectTo } = await accepted(false)
      const cookieless = new Browser(s)
      expect(locationOf(await cookieless.open(redirectTo)).href).toBe(POST_LOGOUT_URL)
      expect(await s.store.flows.getLoginSession(session.sid)).not.toBeNull()
    })

    it('completes an OP-initiated logout in the browser that holds the session', async () => {
      const { s, browser, session, redirectTo } = await accepted(false)
      const done = await browser.open(redirectTo)
      expect(locationOf(done).href).toBe(POST_LOGOUT_URL)
      expect(browser.cookies.has(SESSION_COOKIE)).toBe(false)
      expect(await s.store.flows.getLoginSession(session.sid)).toBeNull()
    })
  })
}
