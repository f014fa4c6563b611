import { describe, expect, it } from 'bun:test'
import {
  authorizeUrl,
  Browser,
  challengeOf,
  createCodeClient,
  ISSUER,
  locationOf,
  REDIRECT_URI,
  responseParams,
  sdkError,
  startFlowServer,
  storeFactories,
} from '../_harness.ts'
import { bodyOf } from './_flow.ts'

const LOGIN = 'http://localhost/admin/oauth2/auth/requests/login'

const put = (s: { adminFetch: typeof fetch }, url: string, body: string) =>
  s.adminFetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body })

for (const factory of storeFactories()) {
  describe(`login requests on the admin API (${factory.name})`, () => {
    it('describes the login request in Hydra’s shape', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s, { audience: ['https://api.test'] })
      const url = authorizeUrl(client, {
        scope: 'openid email',
        audience: 'https://api.test/v1',
        login_hint: 'alice@example.test',
        ui_locales: 'de en',
        acr_values: 'urn:a urn:b',
        display: 'popup',
      })
      const challenge = challengeOf(await new Browser(s).open(url), 'login')
      const { data } = await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challenge })
      expect(data).toEqual({
        challenge,
        client: expect.objectContaining({ client_id: client.client_id, redirect_uris: [REDIRECT_URI] }),
        request_url: url,
        requested_scope: ['openid', 'email'],
        requested_access_token_audience: ['https://api.test/v1'],
        skip: false,
        subject: '',
        session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        oidc_context: { acr_values: ['urn:a', 'urn:b'], display: 'popup', login_hint: 'alice@example.test', ui_locales: ['de', 'en'] },
      })
      expect(data.client).not.toHaveProperty('client_secret')
      expect(data.request_url).toStartWith(`${ISSUER}/oauth2/auth?`)
    })

    it('accepts once: the verifier comes back in redirect_to, then get, accept and reject answer 410 with it', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const url = authorizeUrl(client)
      const challenge = challengeOf(await new Browser(s).open(url), 'login')
      const { data } = await s.hydra.oauth2.acceptOAuth2LoginRequest({ loginChallenge: challenge, acceptOAuth2LoginRequest: { subject: 'alice' } })
      const to = new URL(data.redirect_to)
      expect(to.searchParams.get('login_verifier')).toMatch(/^[A-Za-z0-9_-]+$/)
      to.searchParams.delete('login_verifier')
      expect(to.href).toBe(url)

      const gone = { status: 410, body: { redirect_to: data.redirect_to } }
      expect(await sdkError(s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challenge }))).toEqual(gone)
      expect(await sdkError(s.hydra.oauth2.acceptOAuth2LoginRequest({ loginChallenge: challenge, acceptOAuth2LoginRequest: { subject: 'bob' } }))).toEqual(gone)
      expect(await sdkError(s.hydra.oauth2.rejectOAuth2LoginRequest({ loginChallenge: challenge, rejectOAuth2Request: {} }))).toEqual(gone)
      // Hydra's generic `challenge` alias.
      const alias = await s.adminFetch(`${LOGIN}?challenge=${challenge}`)
      expect(alias.status).toBe(410)
      expect(await bodyOf(alias)).toEqual({ redirect_to: data.redirect_to })
    })

    it('serves get, accept and reject under the `challenge` alias and the unprefixed path', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const challenge = challengeOf(await new Browser(s).open(authorizeUrl(client)), 'login')
      const got = await s.adminFetch(`http://localhost/oauth2/auth/requests/login?challenge=${challenge}`)
      expect(got.status).toBe(200)
      expect((await bodyOf(got)).challenge).toBe(challenge)
      const rejected = await put(s, `${LOGIN}/reject?challenge=${challenge}`, '{"error":"access_denied"}')
      expect(rejected.status).toBe(200)
      expect((await bodyOf(rejected)).redirect_to).toContain('login_verifier=')
    })

    it('refuses a missing, tampered, foreign, expired or wrong-purpose challenge', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const challenge = challengeOf(await b.open(authorizeUrl(client)), 'login')

      const missing = await s.adminFetch(LOGIN)
      expect(missing.status).toBe(400)
      expect((await bodyOf(missing)).error).toBe('invalid_request')

      const flipped = challenge.slice(0, 30) + (challenge[30] === 'A' ? 'B' : 'A') + challenge.slice(31)
      for (const bad of [flipped, 'garbage', `${challenge}x`]) {
        const res = await s.adminFetch(`${LOGIN}?login_challenge=${bad}`)
        expect(res.status).toBe(404)
        expect((await bodyOf(res)).error).toBe('not_found')
      }
      const foreign = await startFlowServer(factory, { 'secrets.system': ['another-system-secret-0123456789'] })
      expect((await sdkError(foreign.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challenge }))).status).toBe(404)

      // A consent challenge never opens as a login challenge.
      const { data } = await s.hydra.oauth2.acceptOAuth2LoginRequest({ loginChallenge: challenge, acceptOAuth2LoginRequest: { subject: 'alice' } })
      const consentChallenge = challengeOf(await b.open(data.redirect_to), 'consent')
      expect((await sdkError(s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: consentChallenge }))).status).toBe(404)

      const late = challengeOf(await new Browser(s).open(authorizeUrl(client)), 'login')
      s.clock.advance(30 * 60_000)
      expect(await sdkError(s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: late }))).toMatchObject({ status: 404, body: { error: 'not_found' } })
      expect((await sdkError(s.hydra.oauth2.acceptOAuth2LoginRequest({ loginChallenge: late, acceptOAuth2LoginRequest: { subject: 'a' } }))).status).toBe(404)
    })

    it('validates the accept and reject bodies as Hydra does', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const challenge = challengeOf(await new Browser(s).open(authorizeUrl(client)), 'login')
      for (const body of ['{}', '{"subject":""}', '{"subject":"a","unknown":1}', '{"subject":"a","remember_for":-1}', '{"subject":"a","amr":"pwd"}', '[]', 'nope']) {
        const res = await put(s, `${LOGIN}/accept?login_challenge=${challenge}`, body)
        expect(res.status).toBe(400)
        expect((await bodyOf(res)).error).toBe('invalid_request')
      }
      for (const body of ['{"status_code":"400"}', '{"error":"bad\\"quote"}', '{"reason":"x"}']) {
        const res = await put(s, `${LOGIN}/reject?login_challenge=${challenge}`, body)
        expect(res.status).toBe(400)
      }
      // Nothing above handled the challenge.
      expect((await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challenge })).status).toBe(200)
      const ok = await put(s, `${LOGIN}/accept?login_challenge=${challenge}`, '{"subject":"a","remember":null,"context":{"x":[1]}}')
      expect(ok.status).toBe(200)
    })

    it('sends a rejected login to the client with the reject body’s error, or Hydra’s default', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const challenge = challengeOf(await b.open(authorizeUrl(client)), 'login')
      const { data } = await s.hydra.oauth2.rejectOAuth2LoginRequest({
        loginChallenge: challenge,
        rejectOAuth2Request: { error: 'access_denied', error_description: 'The user said no.', error_hint: 'Try again.', status_code: 403 },
      })
      const res = await b.open(data.redirect_to)
      expect(`${locationOf(res).origin}${locationOf(res).pathname}`).toBe(REDIRECT_URI)
      const params = responseParams(res)
      expect(Object.fromEntries(params)).toEqual({
        error: 'access_denied',
        error_description: 'The user said no. Try again.',
        state: 'state-0123456789',
        iss: ISSUER,
      })
      expect(await s.store.flows.listFlows('alice')).toEqual([])

      const other = challengeOf(await b.open(authorizeUrl(client)), 'login')
      const rejected = await s.hydra.oauth2.rejectOAuth2LoginRequest({ loginChallenge: other, rejectOAuth2Request: {} })
      expect(responseParams(await b.open(rejected.data.redirect_to)).get('error')).toBe('login request denied')
    })
  })
}
