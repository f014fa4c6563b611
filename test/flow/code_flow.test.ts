import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import {
  AS,
  authorizeUrl,
  Browser,
  createCodeClient,
  ISSUER,
  locationOf,
  REDIRECT_URI,
  rows,
  rp,
  runFlow,
  startFlowServer,
  storeFactories,
  via,
} from '../_harness.ts'

for (const factory of storeFactories()) {
  describe(`authorization code flow through login and consent (${factory.name})`, () => {
    it('ends in a code that oauth4webapi exchanges for tokens carrying what login and consent accepted', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const verifier = oauth.generateRandomCodeVerifier()
      const state = oauth.generateRandomState()
      const nonce = oauth.generateRandomNonce()
      const url = authorizeUrl(client, {
        scope: 'openid offline_access email',
        state,
        nonce,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      })
      const res = await runFlow(s, new Browser(s), url, {
        login: { subject: 'alice', acr: 'urn:acr:pwd', amr: ['pwd', 'otp'], context: { tenant: 't1' } },
        consent: {
          grant_scope: ['openid', 'offline_access', 'email'],
          session: { id_token: { email: 'alice@example.test' }, access_token: { tier: 'gold' } },
        },
      })
      const relyingParty = rp(s, client)
      const params = oauth.validateAuthResponse(AS, relyingParty, locationOf(res), state)
      const tokenRes = await oauth.authorizationCodeGrantRequest(
        AS,
        relyingParty,
        oauth.ClientSecretBasic(client.client_secret!),
        params,
        REDIRECT_URI,
        verifier,
        via(s),
      )
      const tokens = await oauth.processAuthorizationCodeResponse(AS, relyingParty, tokenRes, { expectedNonce: nonce, requireIdToken: true })
      expect(tokens.scope).toBe('openid offline_access email')
      expect(tokens.refresh_token).toStartWith('ory_rt_')
      const claims = oauth.getValidatedIdTokenClaims(tokens)!
      const [flow] = await s.store.flows.listFlows('alice', client.client_id)
      expect(claims).toMatchObject({
        iss: ISSUER,
        sub: 'alice',
        aud: [client.client_id],
        nonce,
        acr: 'urn:acr:pwd',
        amr: ['pwd', 'otp'],
        email: 'alice@example.test',
        sid: flow!.login_session_id!,
        auth_time: Math.floor(s.clock() / 1000),
      })
      expect(flow).toMatchObject({ subject: 'alice', granted_scope: ['openid', 'offline_access', 'email'], remember: false })

      const introspected = await s.adminFetch('http://localhost/admin/oauth2/introspect', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: tokens.access_token }).toString(),
      })
      expect(await introspected.json()).toMatchObject({ active: true, sub: 'alice', ext: { tier: 'gold' } })
    })

    it('completes for a public client with PKCE and stores one flow, one login session and one code', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s, { token_endpoint_auth_method: 'none' })
      const verifier = oauth.generateRandomCodeVerifier()
      const url = authorizeUrl(client, { code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' })
      const res = await runFlow(s, new Browser(s), url)
      const relyingParty = rp(s, client, { token_endpoint_auth_method: 'none' })
      const params = oauth.validateAuthResponse(AS, relyingParty, locationOf(res), 'state-0123456789')
      const tokenRes = await oauth.authorizationCodeGrantRequest(AS, relyingParty, oauth.None(), params, REDIRECT_URI, verifier, via(s))
      const tokens = await oauth.processAuthorizationCodeResponse(AS, relyingParty, tokenRes)
      expect(oauth.getValidatedIdTokenClaims(tokens)!.sub).toBe('alice')
      expect({ flows: await rows(s, 'flows'), sessions: await rows(s, 'login_sessions'), codes: await rows(s, 'authorization_codes') }).toEqual({
        flows: 1,
        sessions: 1,
        codes: 1,
      })
    })
  })
}
