import { describe, expect, it } from 'bun:test'
import { sessionClients } from '../../../src/oidc/logout/session_clients.ts'
import {
  Browser,
  createLogoutClient,
  endSessionUrl,
  logoutChallengeOf,
  memoryLogger,
  Receiver,
  receiverFactory,
  signIn,
  startLogoutServer,
  storeFactories,
  verifyLogoutToken,
} from '../../_harness.ts'

const receiver = receiverFactory()

for (const factory of storeFactories()) {
  describe(`back-channel logout (${factory.name})`, () => {
    async function loggedIn(rp: Receiver, body: Record<string, unknown> = {}) {
      const s = await startLogoutServer(factory)
      const client = await createLogoutClient(s, { backchannel_logout_uri: rp.url, ...body })
      const browser = new Browser(s)
      const session = await signIn(s, browser, client)
      return { s, client, browser, session }
    }

    async function logOut(s: Awaited<ReturnType<typeof loggedIn>>['s'], browser: Browser, idToken: string) {
      const challenge = logoutChallengeOf(await browser.open(endSessionUrl({ id_token_hint: idToken })))
      const { data } = await s.hydra.oauth2.acceptOAuth2LogoutRequest({ logoutChallenge: challenge })
      return browser.open(data.redirect_to)
    }

    it('retries a failing receiver with backoff until it answers 200', async () => {
      const rp = receiver([500, 503])
      const { s, client, browser, session } = await loggedIn(rp)
      expect((await logOut(s, browser, session.idToken)).status).toBe(302)
      expect(await s.scheduler.drain()).toEqual([0, 1000, 2000])
      expect(rp.calls.length).toBe(3)
      const tokens = rp.calls.map((c) => c.params.get('logout_token')!)
      for (const token of tokens) {
        const { payload } = await verifyLogoutToken(s, token, client.client_id)
        expect(payload.sid).toBe(session.sid)
      }
    })

    it('gives up after a bounded number of attempts and logs without the token', async () => {
      const rp = receiver([500, 500, 500, 500, 500, 500])
      const { logger, lines } = memoryLogger()
      const s = await startLogoutServer(factory)
      const logged = { ...s.ctx, logger }
      const client = await createLogoutClient(s, { backchannel_logout_uri: rp.url })
      const browser = new Browser(s)
      const session = await signIn(s, browser, client)
      await s.ctx.backchannel.notify(logged, session.sid, await sessionClients(s.ctx, session.sid))
      expect(await s.scheduler.drain()).toEqual([0, 1000, 2000, 4000])
      expect(rp.calls.length).toBe(4)
      const token = rp.calls[0]!.params.get('logout_token')!
      expect(lines.length).toBe(4)
      expect(lines.at(-1)).toContain('giving up')
      for (const line of lines) {
        expect(line).toContain(client.client_id)
        expect(line).not.toContain(token)
        expect(line).not.toContain(token.split('.')[2]!)
      }
    })

    it('retries an unreachable receiver without failing the logout', async () => {
      const gone = receiver()
      const url = gone.url
      gone.stop()
      const { s, browser, session } = await loggedIn(gone, { backchannel_logout_uri: url })
      const res = await logOut(s, browser, session.idToken)
      expect(res.status).toBe(302)
      expect(await s.scheduler.drain()).toEqual([0, 1000, 2000, 4000])
      expect(await s.store.flows.getLoginSession(session.sid)).toBeNull()
    })

    it('notifies a client at most once per session', async () => {
      const rp = receiver()
      const { s, browser, session } = await loggedIn(rp)
      // A logout challenge taken before the session is revoked through the admin API is still completed later.
      const challenge = logoutChallengeOf(await browser.open(endSessionUrl({ id_token_hint: session.idToken })))
      await s.hydra.oauth2.revokeOAuth2LoginSessions({ sid: session.sid })
      const clients = await sessionClients(s.ctx, session.sid)
      await s.ctx.backchannel.notify(s.ctx, session.sid, clients)
      const { data } = await s.hydra.oauth2.acceptOAuth2LogoutRequest({ logoutChallenge: challenge })
      await browser.open(data.redirect_to)
      await s.scheduler.drain()
      expect(rp.calls.length).toBe(1)
    })

    it('sends the subject the client knows (pairwise)', async () => {
      const rp = receiver()
      const s = await startLogoutServer(factory, {
        'oidc.subject_identifiers.supported_types': ['public', 'pairwise'],
        'oidc.subject_identifiers.pairwise.salt': 'pairwise-salt-0123456789',
      })
      const client = await createLogoutClient(s, { backchannel_logout_uri: rp.url, subject_type: 'pairwise' })
      const browser = new Browser(s)
      const session = await signIn(s, browser, client)
      expect(session.claims.sub).not.toBe('alice')
      await logOut(s, browser, session.idToken)
      await s.scheduler.drain()
      const { payload } = await verifyLogoutToken(s, rp.calls[0]!.params.get('logout_token')!, client.client_id)
      expect(payload.sub).toBe(session.claims.sub!)
    })

    it('does not notify clients without a backchannel_logout_uri or of other sessions', async () => {
      const rp = receiver()
      const { s, client, browser, session } = await loggedIn(rp)
      const other = new Browser(s)
      await signIn(s, other, client, { login: { subject: 'bob' } })
      const quiet = await createLogoutClient(s)
      await signIn(s, browser, quiet)
      await logOut(s, browser, session.idToken)
      expect(await s.scheduler.drain()).toEqual([0])
      expect(rp.calls.length).toBe(1)
    })
  })
}
