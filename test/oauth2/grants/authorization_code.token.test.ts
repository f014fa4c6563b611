import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import {
  AS,
  callback,
  createMintClient,
  introspect,
  issueCode,
  MINT_REDIRECT_URI,
  redeem,
  rp,
  startServer,
  storeFactories,
  TOKEN_URL,
  tokenCount,
  verifyJwt,
  via,
} from '../../_harness.ts'
import { cluster, pkcePair, statusAndError, tokenRequest } from './_grants.ts'

for (const factory of storeFactories()) {
  describe(`authorization_code grant (${factory.name})`, () => {
    it('redeems a code for access, refresh and ID tokens that a spec-strict client accepts', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const { verifier, challenge } = pkcePair()
      const code = await issueCode(s, client, {
        scope: ['openid', 'offline_access'],
        session: { code_challenge: challenge, code_challenge_method: 'S256', nonce: 'nonce-0123456789', access_token_claims: { tier: 'gold' } },
      })
      expect(code).toMatch(/^ory_ac_[A-Za-z0-9_-]{51}\.[A-Za-z0-9_-]{43}$/)
      const tokens = await redeem(s, client, code, { verifier, nonce: 'nonce-0123456789' })
      expect(tokens.token_type).toBe('bearer')
      expect(tokens.scope).toBe('openid offline_access')
      expect(tokens.expires_in).toBe(3600)
      expect(tokens.access_token).toStartWith('ory_at_')
      expect(tokens.refresh_token).toStartWith('ory_rt_')
      const claims = oauth.getValidatedIdTokenClaims(tokens)!
      expect(claims.sub).toBe('alice')
      expect(await verifyJwt(s, tokens.id_token!)).toMatchObject({ sub: 'alice', aud: [client.client_id] })

      const at = await introspect(s, tokens.access_token)
      expect(at).toMatchObject({ active: true, sub: 'alice', client_id: client.client_id, scope: 'openid offline_access', token_use: 'access_token', ext: { tier: 'gold' } })
      expect(await introspect(s, tokens.refresh_token!)).toMatchObject({ active: true, token_use: 'refresh_token', sub: 'alice' })
    })

    it('answers with no-store and works for a public client with PKCE', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s, { token_endpoint_auth_method: 'none' })
      const { verifier, challenge } = pkcePair()
      const code = await issueCode(s, client, { session: { code_challenge: challenge, code_challenge_method: 'S256' } })
      const res = await oauth.authorizationCodeGrantRequest(AS, rp(s, client), oauth.None(), callback(client, code), MINT_REDIRECT_URI, verifier, via(s))
      expect(res.headers.get('cache-control')).toBe('no-store')
      const tokens = await oauth.processAuthorizationCodeResponse(AS, rp(s, client), res)
      expect(tokens.refresh_token).toStartWith('ory_rt_')
    })

    it('issues a refresh token only for offline or offline_access and a client allowed the refresh_token grant', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const none = await redeem(s, client, await issueCode(s, client, { scope: ['openid'] }))
      expect(none.refresh_token).toBeUndefined()
      const offline = await redeem(s, client, await issueCode(s, client, { scope: ['openid', 'offline'] }))
      expect(offline.refresh_token).toStartWith('ory_rt_')

      const noRefreshGrant = await createMintClient(s, { grant_types: ['authorization_code'] })
      const tokens = await redeem(s, noRefreshGrant, await issueCode(s, noRefreshGrant, { scope: ['openid', 'offline_access'] }))
      expect(tokens.refresh_token).toBeUndefined()
    })

    it('issues no ID token without the openid scope', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const code = await issueCode(s, client, { scope: ['profile'] })
      const res = await tokenRequest(s, client, { grant_type: 'authorization_code', code, redirect_uri: MINT_REDIRECT_URI })
      const body = (await res.json()) as Record<string, unknown>
      expect(body.id_token).toBeUndefined()
      expect(body.scope).toBe('profile')
    })

    it('honours the client’s authorization_code lifespans', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      await s.hydra.oauth2.setOAuth2ClientLifespans({
        id: client.client_id,
        oAuth2ClientTokenLifespans: { authorization_code_grant_access_token_lifespan: '5m', authorization_code_grant_id_token_lifespan: '2m' },
      })
      const tokens = await redeem(s, client, await issueCode(s, client))
      expect(tokens.expires_in).toBe(300)
      const claims = await verifyJwt(s, tokens.id_token!)
      expect(claims.exp! - claims.iat!).toBe(120)
    })

    it('refuses a replayed code and revokes every token issued from it (RFC 6749 §4.1.2)', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const code = await issueCode(s, client)
      const first = await redeem(s, client, code)
      const again = await tokenRequest(s, client, { grant_type: 'authorization_code', code, redirect_uri: MINT_REDIRECT_URI })
      expect(await statusAndError(again)).toEqual({ status: 400, error: 'invalid_grant' })
      expect((await introspect(s, first.access_token)).active).toBe(false)
      expect((await introspect(s, first.refresh_token!)).active).toBe(false)
      const refreshed = await tokenRequest(s, client, { grant_type: 'refresh_token', refresh_token: first.refresh_token! })
      expect(await statusAndError(refreshed)).toEqual({ status: 400, error: 'invalid_grant' })
    })

    it('lets exactly one of many concurrent redemptions on several nodes win, and revokes what it got', async () => {
      const nodes = await cluster(factory, 4)
      const client = await createMintClient(nodes[0]!)
      const code = await issueCode(nodes[0]!, client)
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          tokenRequest(nodes[i % nodes.length]!, client, { grant_type: 'authorization_code', code, redirect_uri: MINT_REDIRECT_URI }),
        ),
      )
      const ok = responses.filter((r) => r.status === 200)
      expect(ok).toHaveLength(1)
      for (const r of responses.filter((r) => r.status !== 200)) expect(await statusAndError(r)).toEqual({ status: 400, error: 'invalid_grant' })
      // Every other request replayed the code, so the winner's tokens are revoked too, whatever the interleaving.
      const winner = (await ok[0]!.json()) as { access_token: string; refresh_token: string }
      expect((await introspect(nodes[0]!, winner.access_token)).active).toBe(false)
      expect((await introspect(nodes[0]!, winner.refresh_token)).active).toBe(false)
    })

    it('refuses a code issued to another client without burning it', async () => {
      const s = await startServer(factory)
      const owner = await createMintClient(s)
      const thief = await createMintClient(s)
      const code = await issueCode(s, owner)
      const res = await tokenRequest(s, thief, { grant_type: 'authorization_code', code, redirect_uri: MINT_REDIRECT_URI })
      expect(await statusAndError(res)).toEqual({ status: 400, error: 'invalid_grant' })
      expect(await tokenCount(s, 'access_token')).toBe(0)
      expect((await redeem(s, owner, code)).access_token).toStartWith('ory_at_')
    })

    it('requires the identical redirect_uri when the authorization request had one (RFC 6749 §4.1.3)', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s, { redirect_uris: [MINT_REDIRECT_URI, 'http://localhost/other'] })
      const code = await issueCode(s, client)
      const forms: Record<string, string>[] = [{}, { redirect_uri: 'http://localhost/other' }, { redirect_uri: `${MINT_REDIRECT_URI}/` }]
      for (const form of forms) {
        const res = await tokenRequest(s, client, { grant_type: 'authorization_code', code, ...form })
        expect(await statusAndError(res)).toEqual({ status: 400, error: 'invalid_grant' })
      }
      expect(await tokenCount(s, 'access_token')).toBe(0)
      expect((await redeem(s, client, code)).access_token).toStartWith('ory_at_')
    })

    it('accepts a missing or the effective redirect_uri when the authorization request had none', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const omitted = { redirect_uri: null }
      const without = await tokenRequest(s, client, { grant_type: 'authorization_code', code: await issueCode(s, client, { session: omitted }) })
      expect(without.status).toBe(200)
      const wrong = await tokenRequest(s, client, {
        grant_type: 'authorization_code',
        code: await issueCode(s, client, { session: omitted }),
        redirect_uri: 'http://localhost/elsewhere',
      })
      expect(await statusAndError(wrong)).toEqual({ status: 400, error: 'invalid_grant' })
      expect((await redeem(s, client, await issueCode(s, client, { session: omitted }))).access_token).toStartWith('ory_at_')
    })

    it('verifies PKCE: a stored challenge needs its verifier; a verifier needs a stored challenge', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const { verifier, challenge } = pkcePair()
      const code = await issueCode(s, client, { session: { code_challenge: challenge, code_challenge_method: 'S256' } })
      const other = pkcePair().verifier
      const forms: Record<string, string>[] = [{}, { code_verifier: other }, { code_verifier: 'short' }, { code_verifier: `${verifier.slice(0, -1)}!` }]
      for (const form of forms) {
        const res = await tokenRequest(s, client, { grant_type: 'authorization_code', code, redirect_uri: MINT_REDIRECT_URI, ...form })
        expect(await statusAndError(res)).toEqual({ status: 400, error: 'invalid_grant' })
      }
      expect(await tokenCount(s, 'access_token')).toBe(0)
      expect((await redeem(s, client, code, { verifier })).access_token).toStartWith('ory_at_')

      // RFC 9700 §2.1.1: a verifier without a challenge is refused (PKCE downgrade).
      const plain = await issueCode(s, client)
      const downgrade = await tokenRequest(s, client, { grant_type: 'authorization_code', code: plain, redirect_uri: MINT_REDIRECT_URI, code_verifier: verifier })
      expect(await statusAndError(downgrade)).toEqual({ status: 400, error: 'invalid_grant' })
    })

    it('refuses a code without PKCE for a public client and when PKCE is enforced', async () => {
      const s = await startServer(factory)
      const pub = await createMintClient(s, { token_endpoint_auth_method: 'none' })
      const code = await issueCode(s, pub)
      const res = await s.publicFetch(TOKEN_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: MINT_REDIRECT_URI, client_id: pub.client_id }).toString(),
      })
      expect(await statusAndError(res)).toEqual({ status: 400, error: 'invalid_request' })

      const enforced = await startServer(factory, { 'oauth2.pkce.enforced': true })
      const client = await createMintClient(enforced)
      const plain = await tokenRequest(enforced, client, { grant_type: 'authorization_code', code: await issueCode(enforced, client), redirect_uri: MINT_REDIRECT_URI })
      expect(await statusAndError(plain)).toEqual({ status: 400, error: 'invalid_request' })
    })

    it('refuses an expired code (ttl.auth_code) and leaves no token behind', async () => {
      const s = await startServer(factory, { 'ttl.auth_code': '5m' })
      const client = await createMintClient(s)
      const code = await issueCode(s, client)
      s.clock.advance(5 * 60_000)
      const res = await tokenRequest(s, client, { grant_type: 'authorization_code', code, redirect_uri: MINT_REDIRECT_URI })
      expect(await statusAndError(res)).toEqual({ status: 400, error: 'invalid_grant' })
      expect(await tokenCount(s, 'access_token')).toBe(0)
      expect(await tokenCount(s, 'refresh_token')).toBe(0)
    })

    it('refuses missing, garbage, tampered and foreign-secret codes', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const missing = await tokenRequest(s, client, { grant_type: 'authorization_code', redirect_uri: MINT_REDIRECT_URI })
      expect(await statusAndError(missing)).toEqual({ status: 400, error: 'invalid_request' })

      const code = await issueCode(s, client)
      const other = await startServer(factory, { 'secrets.system': ['another-system-secret-0123456789'] })
      const foreign = await issueCode(other, await createMintClient(other))
      const tampered = code.replace(/\.(.)/, (_, c: string) => `.${c === 'A' ? 'B' : 'A'}`)
      for (const bad of ['garbage', `ory_ac_${'A'.repeat(43)}.${'B'.repeat(43)}`, tampered, foreign, code.slice(0, -2)]) {
        const res = await tokenRequest(s, client, { grant_type: 'authorization_code', code: bad, redirect_uri: MINT_REDIRECT_URI })
        expect(await statusAndError(res)).toEqual({ status: 400, error: 'invalid_grant' })
      }
      expect(await tokenCount(s, 'access_token')).toBe(0)
      expect((await redeem(s, client, code)).access_token).toStartWith('ory_at_')
    })

    it('is refused to a client not allowed the authorization_code grant', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s, { grant_types: ['client_credentials'], response_types: ['none'] })
      const code = await issueCode(s, client)
      const res = await tokenRequest(s, client, { grant_type: 'authorization_code', code, redirect_uri: MINT_REDIRECT_URI })
      expect(await statusAndError(res)).toEqual({ status: 400, error: 'unauthorized_client' })
    })
  })
}
