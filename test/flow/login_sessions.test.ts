import { afterAll, describe, expect, it } from 'bun:test'
import {
  authorizeUrl,
  Browser,
  createLogoutClient,
  expectError,
  locationOf,
  Receiver,
  REDIRECT_URI,
  signIn,
  startLogoutServer,
  storeFactories,
  verifyLogoutToken,
} from '../_harness.ts'

const LOGIN = 'http://localhost/admin/oauth2/auth/sessions/login'

const receivers: Receiver[] = []
afterAll(() => receivers.forEach((r) => r.stop()))

/** Whether `browser` still has a login session: prompt=none succeeds (a consent is remembered) or fails with login_required. */
async function loggedIn(browser: Browser, client: { client_id: string }): Promise<boolean> {
  const res = await browser.open(authorizeUrl(client, { prompt: 'none' }))
  const url = locationOf(res)
  if (`${url.origin}${url.pathname}` === REDIRECT_URI) return url.searchParams.get('error') !== 'login_required'
  return true
}

for (const factory of storeFactories()) {
  describe(`login sessions admin API (${factory.name})`, () => {
    async function setup() {
      const s = await startLogoutServer(factory)
      const rp = new Receiver()
      receivers.push(rp)
      const client = await createLogoutClient(s, { backchannel_logout_uri: rp.url })
      return { s, rp, client }
    }

    it('revokes one session by sid, with back-channel logout', async () => {
      const { s, rp, client } = await setup()
      const first = new Browser(s)
      const second = new Browser(s)
      const one = await signIn(s, first, client)
      const two = await signIn(s, second, client)
      const res = await s.hydra.oauth2.revokeOAuth2LoginSessions({ sid: one.sid })
      expect(res.status).toBe(204)
      expect(await s.store.flows.getLoginSession(one.sid)).toBeNull()
      expect(await s.store.flows.getLoginSession(two.sid)).not.toBeNull()
      expect(await loggedIn(first, client)).toBe(false)
      expect(await loggedIn(second, client)).toBe(true)
      await s.scheduler.drain()
      expect(rp.calls.length).toBe(1)
      const { payload } = await verifyLogoutToken(s, rp.calls[0]!.params.get('logout_token')!, client.client_id)
      expect(payload).toMatchObject({ sid: one.sid, sub: 'alice' })
    })

    it('revokes every session of a subject, each with back-channel logout', async () => {
      const { s, rp, client } = await setup()
      const sessions = [await signIn(s, new Browser(s), client), await signIn(s, new Browser(s), client)]
      const bob = await signIn(s, new Browser(s), client, { login: { subject: 'bob' } })
      const res = await s.hydra.oauth2.revokeOAuth2LoginSessions({ subject: 'alice' })
      expect(res.status).toBe(204)
      for (const { sid } of sessions) expect(await s.store.flows.getLoginSession(sid)).toBeNull()
      expect(await s.store.flows.getLoginSession(bob.sid)).not.toBeNull()
      await s.scheduler.drain()
      const sids = await Promise.all(
        rp.calls.map(async (c) => (await verifyLogoutToken(s, c.params.get('logout_token')!, client.client_id)).payload.sid),
      )
      expect(sids.sort()).toEqual(sessions.map((x) => x.sid).sort())
    })

    it('does nothing for an unknown sid', async () => {
      const { s, rp } = await setup()
      expect((await s.adminFetch(`${LOGIN}?sid=no-such-session`, { method: 'DELETE' })).status).toBe(204)
      expect(await s.scheduler.drain()).toEqual([])
      expect(rp.calls.length).toBe(0)
    })

    it('refuses a revocation without subject or sid', async () => {
      const { s } = await setup()
      await expectError(await s.adminFetch(LOGIN, { method: 'DELETE' }), 400, 'invalid_request')
      await expectError(await s.adminFetch(`${LOGIN}?subject=&sid=`, { method: 'DELETE' }), 400, 'invalid_request')
      await expectError(await s.adminFetch(`${LOGIN}?sid=a&sid=b`, { method: 'DELETE' }), 400, 'invalid_request')
    })
  })
}
