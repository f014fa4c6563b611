import { describe, expect, it } from 'bun:test'
import {
  acceptLogin,
  authorizeUrl,
  Browser,
  challengeOf,
  createCodeClient,
  errorPageOf,
  ISSUER,
  locationOf,
  REDIRECT_URI,
  responseParams,
  rows,
  SECURE,
  securityHeadersOf,
  startFlowServer,
  storeFactories,
  type CodeClient,
} from '../_harness.ts'
import type { TestServer } from '../_harness.ts'

/** The redirect_to of an accepted login: the authorization URL with a login verifier. */
async function loginVerifierUrl(s: TestServer, b: Browser, client: CodeClient, params: Record<string, string> = {}) {
  const challenge = challengeOf(await b.open(authorizeUrl(client, params)), 'login')
  const { data } = await s.hydra.oauth2.acceptOAuth2LoginRequest({ loginChallenge: challenge, acceptOAuth2LoginRequest: { subject: 'alice' } })
  return data.redirect_to
}

/** The redirect_to of an accepted consent: the authorization URL with a consent verifier. */
async function consentVerifierUrl(s: TestServer, b: Browser, client: CodeClient) {
  const consent = await b.open(await loginVerifierUrl(s, b, client))
  const challenge = challengeOf(consent, 'consent')
  const { data } = await s.hydra.oauth2.acceptOAuth2ConsentRequest({ consentChallenge: challenge, acceptOAuth2ConsentRequest: { grant_scope: ['openid'] } })
  return data.redirect_to
}

const withParam = (url: string, name: string, value: string) => {
  const u = new URL(url)
  u.searchParams.set(name, value)
  return u.href
}

const stored = async (s: TestServer) => ({
  sessions: await rows(s, 'login_sessions'),
  flows: await rows(s, 'flows'),
  codes: await rows(s, 'authorization_codes'),
})

const NOTHING = { sessions: 0, flows: 0, codes: 0 }

for (const factory of storeFactories()) {
  describe(`verifiers on the return trips (${factory.name})`, () => {
    it('refuses a tampered, expired or wrong-purpose login verifier with access_denied, storing nothing', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const url = await loginVerifierUrl(s, b, client)
      const verifier = new URL(url).searchParams.get('login_verifier')!
      const flipped = verifier.slice(0, 50) + (verifier[50] === 'A' ? 'B' : 'A') + verifier.slice(51)
      for (const bad of [flipped, 'garbage', `${verifier}A`]) {
        const res = await b.open(withParam(url, 'login_verifier', bad))
        expect(securityHeadersOf(res)).toEqual(SECURE)
        expect(`${locationOf(res).origin}${locationOf(res).pathname}`).toBe(REDIRECT_URI)
        expect(Object.fromEntries(responseParams(res))).toMatchObject({ error: 'access_denied', state: 'state-0123456789', iss: ISSUER })
      }
      const late = await loginVerifierUrl(s, b, client)
      s.clock.advance(30 * 60_000 + 1)
      expect(responseParams(await b.open(late)).get('error')).toBe('access_denied')
      expect(await rows(s, 'login_sessions')).toBe(0)
      // A consent verifier is no login verifier.
      const consentUrl = await consentVerifierUrl(s, new Browser(s), client)
      const swapped = withParam(url, 'login_verifier', new URL(consentUrl).searchParams.get('consent_verifier')!)
      expect(responseParams(await b.open(swapped)).get('error')).toBe('access_denied')
      expect(await rows(s, 'login_sessions')).toBe(1)
    })

    it('refuses a replayed login verifier with access_denied', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const url = await loginVerifierUrl(s, b, client)
      expect(challengeOf(await b.open(url), 'consent')).toBeTruthy()
      const replay = responseParams(await b.open(url))
      expect(replay.get('error')).toBe('access_denied')
      expect(replay.get('error_description')).toContain('has already been used')
      expect(await rows(s, 'login_sessions')).toBe(1)
    })

    it('refuses a verifier brought back on another client’s request with invalid_client, storing nothing', async () => {
      const s = await startFlowServer(factory)
      const a = await createCodeClient(s)
      const other = await createCodeClient(s, { redirect_uris: ['https://other.test/cb'] })
      const b = new Browser(s)
      const url = await loginVerifierUrl(s, b, a)
      const onOther = authorizeUrl(other, { redirect_uri: 'https://other.test/cb', login_verifier: new URL(url).searchParams.get('login_verifier')! })
      const res = await b.open(onOther)
      expect(`${locationOf(res).origin}${locationOf(res).pathname}`).toBe('https://other.test/cb')
      expect(responseParams(res).get('error')).toBe('invalid_client')
      expect(await stored(s)).toEqual(NOTHING)

      const consentUrl = await consentVerifierUrl(s, b, a)
      const stolen = authorizeUrl(other, { redirect_uri: 'https://other.test/cb', consent_verifier: new URL(consentUrl).searchParams.get('consent_verifier')! })
      expect(responseParams(await b.open(stolen)).get('error')).toBe('invalid_client')
      expect(await rows(s, 'flows')).toBe(0)
    })

    it('refuses a login verifier without, or with another, login CSRF cookie: 403 request_forbidden on the error page', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const victim = new Browser(s)
      const url = await loginVerifierUrl(s, new Browser(s), client)
      const res = await victim.open(url)
      expect(res.headers.get('location')).toBeNull()
      expect(securityHeadersOf(res)).toEqual(SECURE)
      expect(await errorPageOf(res)).toMatchObject({ status: 403, error: 'request_forbidden' })

      // The victim has a CSRF cookie of their own flow with the same client, which does not match.
      await victim.open(authorizeUrl(client))
      expect(await errorPageOf(await victim.open(url))).toMatchObject({ status: 403, error: 'request_forbidden' })
      // A forged cookie value does not open either.
      const name = [...victim.cookies.keys()].find((n) => n.startsWith('ory_hydra_login_csrf_'))!
      victim.cookies.set(name, 'forged-value')
      expect((await errorPageOf(await victim.open(url))).status).toBe(403)
      expect(await stored(s)).toEqual(NOTHING)
    })

    it('refuses a consent verifier without its consent CSRF cookie, storing no flow and no code', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const url = await consentVerifierUrl(s, b, client)
      const name = [...b.cookies.keys()].find((n) => n.startsWith('ory_hydra_consent_csrf_'))!
      b.cookies.delete(name)
      expect(await errorPageOf(await b.open(url))).toMatchObject({ status: 403, error: 'request_forbidden' })
      expect({ flows: await rows(s, 'flows'), codes: await rows(s, 'authorization_codes') }).toEqual({ flows: 0, codes: 0 })
    })

    it('redeems a consent verifier once: a replay is access_denied and issues no second code', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const url = await consentVerifierUrl(s, b, client)
      expect(responseParams(await b.open(url)).get('code')).toMatch(/^ory_ac_/)
      const replay = responseParams(await b.open(url))
      expect(replay.get('error')).toBe('access_denied')
      expect(replay.get('error_description')).toContain('verifier has already been used')
      expect(replay.has('code')).toBe(false)
      expect({ flows: await rows(s, 'flows'), codes: await rows(s, 'authorization_codes') }).toEqual({ flows: 1, codes: 1 })
    })

    it('refuses a tampered consent verifier and both verifiers at once', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const url = await consentVerifierUrl(s, b, client)
      const verifier = new URL(url).searchParams.get('consent_verifier')!
      const flipped = verifier.slice(0, 60) + (verifier[60] === 'A' ? 'B' : 'A') + verifier.slice(61)
      expect(responseParams(await b.open(withParam(url, 'consent_verifier', flipped))).get('error')).toBe('access_denied')
      expect(responseParams(await b.open(withParam(url, 'login_verifier', 'x'))).get('error')).toBe('invalid_request')
      expect(await rows(s, 'flows')).toBe(0)
    })

    it('still validates the authorization request that carries a verifier', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const url = await loginVerifierUrl(s, b, client)
      const res = await b.open(withParam(url, 'redirect_uri', 'https://evil.test/cb'))
      expect(await errorPageOf(res)).toMatchObject({ status: 400, error: 'invalid_request' })
      expect(await rows(s, 'login_sessions')).toBe(0)
    })

    it('sends consent_required for prompt=none when a remembered login has no remembered consent', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const first = await b.open(authorizeUrl(client))
      await acceptLogin(s, b, first, { remember: true })
      const login = await b.open(authorizeUrl(client, { prompt: 'none' }))
      const back = await acceptLogin(s, b, login)
      expect(responseParams(back).get('error')).toBe('consent_required')
      expect(responseParams(back).get('iss')).toBe(ISSUER)
    })
  })
}
