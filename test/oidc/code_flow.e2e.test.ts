import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import {
  AS,
  authorizeUrl,
  Browser,
  createCodeClient,
  introspect,
  ISSUER,
  locationOf,
  REDIRECT_URI,
  rp,
  runFlow,
  startFlowServer,
  storeFactories,
  via,
  type CodeClient,
  type FlowOptions,
  type TestServer,
} from '../_harness.ts'

const USERINFO = { ...AS, userinfo_endpoint: `${ISSUER}/userinfo` }

/** The real flow: authorization request, login, consent, then the code exchanged by oauth4webapi. */
async function signIn(s: TestServer, client: CodeClient, options: FlowOptions) {
  const verifier = oauth.generateRandomCodeVerifier()
  const nonce = oauth.generateRandomNonce()
  const url = authorizeUrl(client, {
    scope: 'openid offline_access email',
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  })
  const res = await runFlow(s, new Browser(s), url, options)
  const params = oauth.validateAuthResponse(AS, rp(s, client), locationOf(res), 'state-0123456789')
  const exchange = () =>
    oauth.authorizationCodeGrantRequest(AS, rp(s, client), oauth.ClientSecretBasic(client.client_secret!), params, REDIRECT_URI, verifier, via(s))
  const tokens = await oauth.processAuthorizationCodeResponse(AS, rp(s, client), await exchange(), { expectedNonce: nonce, requireIdToken: true })
  return { tokens, exchange }
}

const userinfo = async (s: TestServer, client: CodeClient, token: string, sub: string) =>
  oauth.processUserInfoResponse(USERINFO, rp(s, client), sub, await oauth.userInfoRequest(USERINFO, rp(s, client), token, via(s)))

for (const factory of storeFactories()) {
  describe(`OpenID Connect through the real flow (${factory.name})`, () => {
    it('signs in, serves userinfo, refreshes with rotation, and revokes everything on a replayed code', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const { tokens, exchange } = await signIn(s, client, {
        login: { subject: 'alice', acr: 'urn:acr:pwd', amr: ['pwd'] },
        consent: { grant_scope: ['openid', 'offline_access', 'email'], session: { id_token: { email: 'alice@example.test' } } },
      })
      const first = oauth.getValidatedIdTokenClaims(tokens)!
      expect(first).toMatchObject({ sub: 'alice', acr: 'urn:acr:pwd', amr: ['pwd'], email: 'alice@example.test' })
      expect(await userinfo(s, client, tokens.access_token, 'alice')).toEqual({ sub: 'alice', email: 'alice@example.test' })

      s.clock.advance(60_000)
      const refreshed = await oauth.processRefreshTokenResponse(
        AS,
        rp(s, client),
        await oauth.refreshTokenGrantRequest(AS, rp(s, client), oauth.ClientSecretBasic(client.client_secret!), tokens.refresh_token!, via(s)),
      )
      const again = oauth.getValidatedIdTokenClaims(refreshed)!
      expect(again).toMatchObject({ sub: 'alice', auth_time: first.auth_time, sid: first.sid, email: 'alice@example.test' })
      expect(again.nonce).toBeUndefined()
      expect(await userinfo(s, client, refreshed.access_token, 'alice')).toEqual({ sub: 'alice', email: 'alice@example.test' })
      expect((await introspect(s, tokens.access_token)).active).toBe(false)

      const replay = await exchange()
      expect(replay.status).toBe(400)
      expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant')
      for (const token of [refreshed.access_token, refreshed.refresh_token!]) expect((await introspect(s, token)).active).toBe(false)
    })

    it('gives a pairwise client the login’s force_subject_identifier in the ID token and at userinfo', async () => {
      const s = await startFlowServer(factory, {
        'oidc.subject_identifiers.supported_types': ['public', 'pairwise'],
        'oidc.subject_identifiers.pairwise.salt': 'pairwise-salt-0123456789',
      })
      const client = await createCodeClient(s, { subject_type: 'pairwise' })
      const { tokens } = await signIn(s, client, { login: { subject: 'alice', force_subject_identifier: 'opaque-alice' } })
      expect(oauth.getValidatedIdTokenClaims(tokens)!.sub).toBe('opaque-alice')
      expect((await userinfo(s, client, tokens.access_token, 'opaque-alice')).sub).toBe('opaque-alice')
      expect((await introspect(s, tokens.access_token)).sub).toBe('alice')
    })
  })
}
