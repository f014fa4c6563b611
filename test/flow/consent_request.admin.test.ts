import { describe, expect, it } from 'bun:test'
import {
  acceptLogin,
  authorizeUrl,
  Browser,
  challengeOf,
  createCodeClient,
  ISSUER,
  responseParams,
  rows,
  sdkError,
  startFlowServer,
  storeFactories,
} from '../_harness.ts'
import { bodyOf } from './_flow.ts'

const CONSENT = 'http://localhost/admin/oauth2/auth/requests/consent'

for (const factory of storeFactories()) {
  describe(`consent requests on the admin API (${factory.name})`, () => {
    async function atConsent() {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s, { audience: ['https://api.test'] })
      const b = new Browser(s)
      const login = await b.open(authorizeUrl(client, { scope: 'openid email', audience: 'https://api.test', login_hint: 'al' }))
      const loginChallenge = challengeOf(login, 'login')
      const { data: loginRequest } = await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge })
      const consent = await acceptLogin(s, b, login, { subject: 'alice', acr: 'urn:acr:1', amr: ['pwd'], context: { step: 2 } })
      return { s, client, b, challenge: challengeOf(consent, 'consent'), loginRequest }
    }

    it('describes the consent request in Hydra’s shape, with what the login accepted', async () => {
      const { s, client, challenge, loginRequest } = await atConsent()
      const { data } = await s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challenge })
      expect(data).toEqual({
        challenge,
        consent_request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        requested_scope: ['openid', 'email'],
        requested_access_token_audience: ['https://api.test'],
        skip: false,
        subject: 'alice',
        oidc_context: { login_hint: 'al' },
        client: expect.objectContaining({ client_id: client.client_id }),
        request_url: loginRequest.request_url,
        login_challenge: expect.any(String),
        login_session_id: loginRequest.session_id,
        acr: 'urn:acr:1',
        amr: ['pwd'],
        context: { step: 2 },
      })
    })

    it('accepts once; get, accept and reject then answer 410 with the first redirect, under the `challenge` alias too', async () => {
      const { s, challenge } = await atConsent()
      const { data } = await s.hydra.oauth2.acceptOAuth2ConsentRequest({
        consentChallenge: challenge,
        acceptOAuth2ConsentRequest: { grant_scope: ['openid'] },
      })
      expect(new URL(data.redirect_to).searchParams.get('consent_verifier')).toMatch(/^[A-Za-z0-9_-]+$/)
      const gone = { status: 410, body: { redirect_to: data.redirect_to } }
      expect(await sdkError(s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challenge }))).toEqual(gone)
      expect(await sdkError(s.hydra.oauth2.acceptOAuth2ConsentRequest({ consentChallenge: challenge, acceptOAuth2ConsentRequest: {} }))).toEqual(gone)
      expect(await sdkError(s.hydra.oauth2.rejectOAuth2ConsentRequest({ consentChallenge: challenge, rejectOAuth2Request: {} }))).toEqual(gone)
      // Handled first wins over what is wrong with a later accept.
      const refused = { consentChallenge: challenge, acceptOAuth2ConsentRequest: { grant_scope: ['admin'] } }
      expect(await sdkError(s.hydra.oauth2.acceptOAuth2ConsentRequest(refused))).toEqual(gone)
      const alias = await s.adminFetch(`${CONSENT}?challenge=${challenge}`)
      expect(alias.status).toBe(410)
      expect(await bodyOf(alias)).toEqual({ redirect_to: data.redirect_to })
    })

    it('has one winner among concurrent accepts and rejects: the others answer 410 with its redirect', async () => {
      const { s, challenge } = await atConsent()
      const answers = await Promise.all([
        s.adminFetch(`${CONSENT}/accept?consent_challenge=${challenge}`, { method: 'PUT', body: JSON.stringify({ grant_scope: ['openid'] }) }),
        s.adminFetch(`${CONSENT}/reject?consent_challenge=${challenge}`, { method: 'PUT', body: JSON.stringify({ error: 'access_denied' }) }),
        s.adminFetch(`${CONSENT}/accept?consent_challenge=${challenge}`, { method: 'PUT', body: JSON.stringify({ grant_scope: ['email'] }) }),
      ])
      const bodies = await Promise.all(answers.map((a) => bodyOf(a)))
      expect(answers.map((a) => a.status).sort()).toEqual([200, 410, 410])
      const winner = bodies[answers.findIndex((a) => a.status === 200)]
      for (const body of bodies) expect(body).toEqual(winner!)
    })

    it('refuses tampered, expired and login challenges as not_found, and a missing one as invalid_request', async () => {
      const { s, challenge, loginRequest } = await atConsent()
      const flipped = challenge.slice(0, 40) + (challenge[40] === 'A' ? 'B' : 'A') + challenge.slice(41)
      expect(await sdkError(s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: flipped }))).toMatchObject({ status: 404, body: { error: 'not_found' } })
      expect((await sdkError(s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: loginRequest.challenge }))).status).toBe(404)
      const missing = await s.adminFetch(CONSENT)
      expect(missing.status).toBe(400)
      expect((await bodyOf(missing)).error).toBe('invalid_request')
      s.clock.advance(30 * 60_000 + 1)
      expect((await sdkError(s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challenge }))).status).toBe(404)
    })

    it('refuses malformed accept bodies and scopes the client may not receive', async () => {
      const { s, challenge } = await atConsent()
      for (const body of ['{"grant_scope":"openid"}', '{"session":{"id_token":[1]}}', '{"remember_for":1.5}', '{"extra":true}', '{"grant_scope":["admin"]}']) {
        const res = await s.adminFetch(`${CONSENT}/accept?consent_challenge=${challenge}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body,
        })
        expect(res.status).toBe(400)
        expect((await bodyOf(res)).error).toBe('invalid_request')
      }
      expect((await s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challenge })).status).toBe(200)
    })

    it('sends a rejected consent to the client with the reject body’s error, storing no flow and no code', async () => {
      const { s, b, challenge } = await atConsent()
      const { data } = await s.hydra.oauth2.rejectOAuth2ConsentRequest({
        consentChallenge: challenge,
        rejectOAuth2Request: { error: 'access_denied', error_description: 'Not today.' },
      })
      const res = await b.open(data.redirect_to)
      expect(Object.fromEntries(responseParams(res))).toEqual({
        error: 'access_denied',
        error_description: 'Not today.',
        state: 'state-0123456789',
        iss: ISSUER,
      })
      expect(await rows(s, 'flows')).toBe(0)
      expect(await rows(s, 'authorization_codes')).toBe(0)
      // The rejecting verifier is single-use as well.
      expect(responseParams(await b.open(data.redirect_to)).get('error')).toBe('access_denied')
      expect(responseParams(await b.open(data.redirect_to)).get('error_description')).toContain('already been used')

      const next = await atConsent()
      const rejected = await next.s.hydra.oauth2.rejectOAuth2ConsentRequest({ consentChallenge: next.challenge, rejectOAuth2Request: {} })
      expect(responseParams(await next.b.open(rejected.data.redirect_to)).get('error')).toBe('consent request denied')
    })
  })
}
