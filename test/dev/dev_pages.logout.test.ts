import { describe, expect, it } from 'bun:test'
import { decodeJwt } from 'jose'
import { DEMO_CLIENT_ID, demoAuthorizeUrl } from '../../src/dev/demo_client.ts'
import { Browser, errorPageOf, storeFactories, type TestServer } from '../_harness.ts'
import { formFields, LOGOUT_PAGE, post, startDevServer, textOf, unescape, visit } from './_pages.ts'

/** Signs in through the built-in pages; the sign-out link of the callback page and the login session id. */
async function signIn(s: TestServer, b: Browser): Promise<{ signOut: string; sid: string }> {
  const login = await visit(b, demoAuthorizeUrl(s.ctx))
  const consent = await post(b, login, { username: 'grace', action: 'accept', remember: '1' })
  const done = await post(b, consent, { action: 'allow' })
  const signOut = unescape(/<a id="sign_out" href="([^"]*)"/.exec(done.html)![1]!)
  return { signOut, sid: String(decodeJwt(textOf(done.html, 'id_token')!).sid) }
}

for (const factory of storeFactories()) {
  describe(`built-in development logout page (${factory.name})`, () => {
    it('asks to confirm: No keeps the session, Yes ends it', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const { signOut, sid } = await signIn(s, b)

      const ask = await visit(b, signOut)
      expect(ask.path).toBe('/oauth2/fallbacks/logout')
      expect(ask.html).toContain('<strong>grace</strong>')
      expect(ask.html).toContain('Gatehouse demo')
      const stay = await post(b, ask, { action: 'reject' })
      expect(stay.html).toContain('You are still signed in')
      expect(await s.store.flows.getLoginSession(sid)).not.toBeNull()

      const again = await visit(b, signOut)
      const gone = await post(b, again, { action: 'accept' })
      expect(gone.path).toBe('/oauth2/sessions/logout')
      expect(gone.html).toContain('You are signed out.')
      expect(await s.store.flows.getLoginSession(sid)).toBeNull()
    })

    it('refuses a forged POST and signs out at once for a client with skip_logout_consent', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const { signOut, sid } = await signIn(s, b)
      const ask = await visit(b, signOut)
      const fields = formFields(ask.html)
      const forged = await b.open(LOGOUT_PAGE, { logout_challenge: fields.logout_challenge!, action: 'accept' })
      expect(await errorPageOf(forged)).toMatchObject({ status: 403, error: 'request_forbidden' })
      expect(await s.store.flows.getLoginSession(sid)).not.toBeNull()

      await s.hydra.oauth2.patchOAuth2Client({
        id: DEMO_CLIENT_ID,
        jsonPatch: [{ op: 'replace', path: '/skip_logout_consent', value: true }],
      })
      const gone = await visit(b, signOut)
      expect(gone.path).toBe('/oauth2/sessions/logout')
      expect(gone.html).toContain('You are signed out.')
      expect(await s.store.flows.getLoginSession(sid)).toBeNull()
    })
  })
}
