import { describe, expect, it } from 'bun:test'
import { SignJWT, generateKeyPair } from 'jose'
import {
  acceptConsent,
  acceptLogin,
  authorizeUrl,
  Browser,
  challengeOf,
  createCodeClient,
  ISSUER,
  locationOf,
  REDIRECT_URI,
  responseParams,
  runFlow,
  startFlowServer,
  storeFactories,
  type CodeClient,
  type TestServer,
} from '../_harness.ts'

const HOUR = 3_600_000

/** The login request the login app sees for an authorization URL opened in `b`. */
async function loginRequestFor(s: TestServer, b: Browser, url: string) {
  const res = await b.open(url)
  const { data } = await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challengeOf(res, 'login') })
  return { res, data }
}

/** Logs `subject` in with remember in a fresh browser and returns the browser. */
async function rememberedBrowser(s: TestServer, client: CodeClient, subject = 'alice', remember_for = 0) {
  const b = new Browser(s)
  await runFlow(s, b, authorizeUrl(client), { login: { subject, remember: true, remember_for } })
  return b
}

/** An ID token for `subject` from the token endpoint. */
async function idTokenFor(s: TestServer, client: CodeClient, subject: string, forced?: string): Promise<string> {
  const login = forced === undefined ? { subject } : { subject, force_subject_identifier: forced }
  const res = await runFlow(s, new Browser(s), authorizeUrl(client), { login })
  const token = await s.publicFetch('http://localhost/oauth2/token', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: responseParams(res).get('code')!, redirect_uri: REDIRECT_URI }).toString(),
  })
  return ((await token.json()) as { id_token: string }).id_token
}

const sessionCookieOf = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('ory_hydra_session='))

for (const factory of storeFactories()) {
  describe(`login sessions (${factory.name})`, () => {
    it('sets the session cookie only when remembered, then skips the login with the same subject and session', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const first = await loginRequestFor(s, b, authorizeUrl(client))
      const back = await acceptLogin(s, b, first.res, { subject: 'alice', remember: true, remember_for: 3600 })
      expect(sessionCookieOf(back)).toMatch(/^ory_hydra_session=[A-Za-z0-9_-]+; Path=\/; Max-Age=3600; HttpOnly; Secure; SameSite=None$/)
      expect(sessionCookieOf(back)).not.toContain(first.data.session_id!)
      await acceptConsent(s, b, back)
      expect(await s.store.flows.getLoginSession(first.data.session_id!)).toMatchObject({ subject: 'alice', remember: true, expires_at: s.clock() + HOUR })

      s.clock.advance(60_000)
      const second = await loginRequestFor(s, b, authorizeUrl(client))
      expect(second.data).toMatchObject({ skip: true, subject: 'alice', session_id: first.data.session_id })
      const consent = await acceptLogin(s, b, second.res, { subject: 'alice' })
      const { data } = await s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challengeOf(consent, 'consent') })
      expect(data.login_session_id).toBe(first.data.session_id)
    })

    it('remembers for ttl.authentication_session when remember_for is 0, and never longer', async () => {
      const s = await startFlowServer(factory, { 'ttl.authentication_session': '2h' })
      const client = await createCodeClient(s)
      for (const remember_for of [0, 30 * 24 * 3600]) {
        const b = new Browser(s)
        const back = await acceptLogin(s, b, await b.open(authorizeUrl(client)), { remember: true, remember_for })
        expect(sessionCookieOf(back)).toContain('; Max-Age=7200;')
      }
    })

    it('does not skip after a login that was not remembered, and such a login ends the browser’s earlier session', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = await rememberedBrowser(s, client)
      const { data: before } = await loginRequestFor(s, new Browser(s), authorizeUrl(client))
      expect(before.skip).toBe(false)
      const oldSid = (await loginRequestFor(s, b, authorizeUrl(client))).data.session_id!
      const remembered = await loginRequestFor(s, b, authorizeUrl(client, { prompt: 'login' }))
      const back = await acceptLogin(s, b, remembered.res, { subject: 'alice', remember: false })
      expect(sessionCookieOf(back)).toStartWith('ory_hydra_session=; Path=/; Max-Age=0;')
      expect(await s.store.flows.getLoginSession(oldSid)).toBeNull()
      expect((await loginRequestFor(s, b, authorizeUrl(client))).data.skip).toBe(false)
    })

    it('answers prompt=none without a session with login_required, never asking the login app', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const res = await new Browser(s).open(authorizeUrl(client, { prompt: 'none' }))
      expect(`${locationOf(res).origin}${locationOf(res).pathname}`).toBe(REDIRECT_URI)
      expect(Object.fromEntries(responseParams(res))).toMatchObject({ error: 'login_required', state: 'state-0123456789', iss: ISSUER })
    })

    it('re-authenticates for prompt=login and select_account, with a new session id', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = await rememberedBrowser(s, client)
      const skipped = (await loginRequestFor(s, b, authorizeUrl(client))).data
      for (const prompt of ['login', 'select_account', 'login consent']) {
        const { data } = await loginRequestFor(s, b, authorizeUrl(client, { prompt }))
        expect(data).toMatchObject({ skip: false, subject: '' })
        expect(data.session_id).not.toBe(skipped.session_id)
      }
    })

    it('re-authenticates once max_age has elapsed, and refuses prompt=none then', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = await rememberedBrowser(s, client)
      s.clock.advance(10 * 60_000)
      expect((await loginRequestFor(s, b, authorizeUrl(client, { max_age: '3600' }))).data.skip).toBe(true)
      expect((await loginRequestFor(s, b, authorizeUrl(client, { max_age: '60' }))).data.skip).toBe(false)
      expect((await loginRequestFor(s, b, authorizeUrl(client, { max_age: '0' }))).data.skip).toBe(false)
      const none = responseParams(await b.open(authorizeUrl(client, { max_age: '60', prompt: 'none' })))
      expect(none.get('error')).toBe('login_required')
      expect(none.get('error_description')).toContain('max_age')
    })

    it('skips only when the id_token_hint names the session’s subject; expired hints are fine, forged ones are not', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const bobs = await idTokenFor(s, client, 'bob')
      const alices = await idTokenFor(s, client, 'alice')
      const b = await rememberedBrowser(s, client)

      const { data } = await loginRequestFor(s, b, authorizeUrl(client, { id_token_hint: alices }))
      expect(data.skip).toBe(true)
      expect(data.oidc_context?.id_token_hint_claims).toMatchObject({ sub: 'alice', iss: ISSUER })

      const mismatch = responseParams(await b.open(authorizeUrl(client, { id_token_hint: bobs })))
      expect(mismatch.get('error')).toBe('login_required')
      expect(mismatch.get('error_description')).toContain('id_token_hint')

      s.clock.advance(2 * HOUR)
      expect((await loginRequestFor(s, b, authorizeUrl(client, { id_token_hint: alices }))).data.skip).toBe(true)

      const { privateKey } = await generateKeyPair('ES256')
      const header = JSON.parse(atob(alices.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/')))
      const forged = await new SignJWT({ sub: 'alice' }).setProtectedHeader(header).setIssuer(ISSUER).sign(privateKey)
      expect(responseParams(await b.open(authorizeUrl(client, { id_token_hint: forged }))).get('error')).toBe('invalid_request')

      // Without a session the hint only informs the login app.
      const fresh = await loginRequestFor(s, new Browser(s), authorizeUrl(client, { id_token_hint: bobs }))
      expect(fresh.data).toMatchObject({ skip: false, oidc_context: { id_token_hint_claims: { sub: 'bob' } } })
    })

    it('recognises the pairwise and forced subjects a pairwise client saw in its id_token_hint', async () => {
      const s = await startFlowServer(factory, {
        'oidc.subject_identifiers.supported_types': ['public', 'pairwise'],
        'oidc.subject_identifiers.pairwise.salt': 'some-pairwise-salt',
      })
      const client = await createCodeClient(s, { subject_type: 'pairwise' })
      const pairwise = await idTokenFor(s, client, 'alice')
      expect(JSON.parse(atob(pairwise.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).sub).not.toBe('alice')
      const forced = await idTokenFor(s, client, 'alice', 'forced-alice')
      expect(JSON.parse(atob(forced.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).sub).toBe('forced-alice')
      const b = await rememberedBrowser(s, client)
      for (const hint of [pairwise, forced]) {
        expect((await loginRequestFor(s, b, authorizeUrl(client, { id_token_hint: hint }))).data.skip).toBe(true)
      }
      const bobs = await idTokenFor(s, client, 'bob')
      expect(responseParams(await b.open(authorizeUrl(client, { id_token_hint: bobs }))).get('error')).toBe('login_required')
    })

    it('sends the login app back with prompt=login when it accepts a skipped login as someone else', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = await rememberedBrowser(s, client)
      const url = authorizeUrl(client, { prompt: 'consent' })
      const { res, data } = await loginRequestFor(s, b, url)
      expect(data.skip).toBe(true)
      const accepted = await s.hydra.oauth2.acceptOAuth2LoginRequest({
        loginChallenge: challengeOf(res, 'login'),
        acceptOAuth2LoginRequest: { subject: 'bob' },
      })
      const to = new URL(accepted.data.redirect_to)
      expect(to.searchParams.get('prompt')).toBe('login consent')
      expect(to.searchParams.has('login_verifier')).toBe(false)
      to.searchParams.delete('prompt')
      const original = new URL(url)
      original.searchParams.delete('prompt')
      expect(to.href).toBe(original.href)
      const again = await loginRequestFor(s, b, accepted.data.redirect_to)
      expect(again.data.skip).toBe(false)
    })

    it('ignores a forged or foreign session cookie and a session revoked in the store', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = await rememberedBrowser(s, client)
      const sid = (await loginRequestFor(s, b, authorizeUrl(client))).data.session_id!
      const real = b.cookies.get('ory_hydra_session')!
      b.cookies.set('ory_hydra_session', real.slice(0, -2) + (real.endsWith('AA') ? 'BB' : 'AA'))
      expect((await loginRequestFor(s, b, authorizeUrl(client))).data.skip).toBe(false)
      b.cookies.set('ory_hydra_session', real)
      expect((await loginRequestFor(s, b, authorizeUrl(client))).data.skip).toBe(true)
      await s.store.flows.deleteLoginSession(sid)
      expect((await loginRequestFor(s, b, authorizeUrl(client))).data.skip).toBe(false)
    })

    it('refuses a skipped login whose session ended meanwhile with login_required', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = await rememberedBrowser(s, client)
      const { res, data } = await loginRequestFor(s, b, authorizeUrl(client))
      const { data: accepted } = await s.hydra.oauth2.acceptOAuth2LoginRequest({
        loginChallenge: challengeOf(res, 'login'),
        acceptOAuth2LoginRequest: { subject: 'alice' },
      })
      await s.store.flows.deleteLoginSession(data.session_id!)
      expect(responseParams(await b.open(accepted.redirect_to)).get('error')).toBe('login_required')
    })

    it('keeps a skipped session as it is, unless extend_session_lifespan', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = await rememberedBrowser(s, client, 'alice', 3600)
      const sid = (await loginRequestFor(s, b, authorizeUrl(client))).data.session_id!
      const expires = (await s.store.flows.getLoginSession(sid))!.expires_at
      s.clock.advance(10 * 60_000)
      const kept = await acceptLogin(s, b, (await loginRequestFor(s, b, authorizeUrl(client))).res, { subject: 'alice' })
      expect(sessionCookieOf(kept)).toBeUndefined()
      expect((await s.store.flows.getLoginSession(sid))!.expires_at).toBe(expires)
      const extended = await acceptLogin(s, b, (await loginRequestFor(s, b, authorizeUrl(client))).res, {
        subject: 'alice',
        remember_for: 3600,
        extend_session_lifespan: true,
      })
      expect(sessionCookieOf(extended)).toContain('; Max-Age=3600;')
      expect((await s.store.flows.getLoginSession(sid))!.expires_at).toBe(s.clock() + HOUR)
    })
  })
}
