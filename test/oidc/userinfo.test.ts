import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import {
  AS,
  basic,
  createMintClient,
  issueCode,
  ISSUER,
  redeem,
  refresh,
  rp,
  startServer,
  storeFactories,
  USERINFO_URL,
  verifyJwt,
  via,
  type CodeClient,
  type TestServer,
} from '../_harness.ts'
import type { AuthorizeSession } from '../../src/oauth2/authorize_session.ts'

const CLAIMS = { email: 'alice@example.com', email_verified: true, name: 'Alice', sub: 'mallory', acr: 'forged' }

async function login(s: TestServer, client: CodeClient, scope = ['openid', 'offline_access'], session: Partial<AuthorizeSession> = {}) {
  return redeem(s, client, await issueCode(s, client, { scope, session: { id_token_claims: CLAIMS, acr: 'loa2', ...session } }))
}

const get = (s: TestServer, headers: Record<string, string> = {}, query = '') => s.publicFetch(`${USERINFO_URL}${query}`, { headers })

async function bearerError(res: Response) {
  const body = (await res.json()) as { error: string }
  return { status: res.status, error: body.error, challenge: res.headers.get('www-authenticate') }
}

for (const factory of storeFactories()) {
  describe(`userinfo (${factory.name})`, () => {
    it('answers GET and POST with sub and the consent session.id_token claims, uncacheable', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const tokens = await login(s, client)
      const expected = { sub: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice' }
      for (const method of ['GET', 'POST']) {
        const res = await s.publicFetch(USERINFO_URL, { method, headers: { authorization: `Bearer ${tokens.access_token}` } })
        expect(res.status).toBe(200)
        expect(res.headers.get('cache-control')).toBe('no-store')
        expect(await res.json()).toEqual(expected)
      }
      const viaClient = await oauth.userInfoRequest(AS, rp(s, client), tokens.access_token, via(s))
      expect(await oauth.processUserInfoResponse(AS, rp(s, client), 'alice', viaClient)).toEqual(expected)
    })

    it('shows the sub of the ID token to pairwise clients', async () => {
      const s = await startServer(factory, {
        'oidc.subject_identifiers.supported_types': ['public', 'pairwise'],
        'oidc.subject_identifiers.pairwise.salt': 'pairwise-salt-0123456789',
      })
      const uri = 'https://rp.example/cb'
      const client = await createMintClient(s, { subject_type: 'pairwise', redirect_uris: [uri] })
      const code = await issueCode(s, client, { session: { redirect_uri: uri, effective_redirect_uri: uri } })
      const tokens = await redeem(s, client, code, { redirectUri: uri })
      const sub = oauth.getValidatedIdTokenClaims(tokens)!.sub
      expect(sub).not.toBe('alice')
      const res = await get(s, { authorization: `Bearer ${tokens.access_token}` })
      expect(((await res.json()) as { sub: string }).sub).toBe(sub)
    })

    it('signs the answer when the client registered userinfo_signed_response_alg', async () => {
      const s = await startServer(factory, { 'keys.algorithms.id_token': 'RS256', 'keys.rsa_modulus_length': 2048 })
      const client = await createMintClient(s, { userinfo_signed_response_alg: 'RS256' })
      const tokens = await redeem(s, client, await issueCode(s, client, { session: { id_token_claims: CLAIMS } }))
      const res = await get(s, { authorization: `Bearer ${tokens.access_token}` })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/jwt')
      expect(res.headers.get('cache-control')).toBe('no-store')
      const claims = await verifyJwt(s, await res.text())
      expect(claims).toMatchObject({ iss: ISSUER, aud: [client.client_id], sub: 'alice', email: 'alice@example.com', name: 'Alice' })

      const viaClient = await oauth.userInfoRequest(AS, { ...rp(s, client), userinfo_signed_response_alg: 'RS256' }, tokens.access_token, via(s))
      const parsed = await oauth.processUserInfoResponse(AS, { ...rp(s, client), userinfo_signed_response_alg: 'RS256' }, 'alice', viaClient)
      expect(parsed.email).toBe('alice@example.com')
    })

    it('takes the access token from the Authorization header only (RFC 6750 §2.1)', async () => {
      const s = await startServer(factory)
      const tokens = await login(s, await createMintClient(s))
      const inQuery = await get(s, {}, `?access_token=${tokens.access_token}`)
      expect(await bearerError(inQuery)).toMatchObject({ status: 400, error: 'invalid_request' })
      const inBody = await s.publicFetch(USERINFO_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: tokens.access_token }).toString(),
      })
      expect(await bearerError(inBody)).toMatchObject({ status: 400, error: 'invalid_request' })
      const both = await get(s, { authorization: `Bearer ${tokens.access_token}` }, `?access_token=${tokens.access_token}`)
      expect(await bearerError(both)).toMatchObject({ status: 400, error: 'invalid_request' })

      // RFC 6750 §3.1: without credentials the challenge carries no error code.
      const none = await bearerError(await get(s))
      expect(none).toEqual({ status: 401, error: 'invalid_token', challenge: 'Bearer' })
      expect((await bearerError(await get(s, { authorization: basic('a', 'b') }))).status).toBe(401)
      const malformed = await bearerError(await get(s, { authorization: 'Bearer a b' }))
      expect(malformed).toMatchObject({ status: 400, error: 'invalid_request' })
      expect(malformed.challenge).toStartWith('Bearer error="invalid_request"')
    })

    it('refuses unknown, expired, rotated and refresh tokens with 401 invalid_token', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const tokens = await login(s, client)
      const rotated = tokens.access_token
      const next = await refresh(s, client, tokens.refresh_token!)
      for (const token of ['garbage', `ory_at_${'A'.repeat(43)}.${'B'.repeat(43)}`, rotated, next.refresh_token!]) {
        const res = await bearerError(await get(s, { authorization: `Bearer ${token}` }))
        expect(res).toMatchObject({ status: 401, error: 'invalid_token' })
        expect(res.challenge).toStartWith('Bearer error="invalid_token"')
      }
      expect((await get(s, { authorization: `Bearer ${next.access_token}` })).status).toBe(200)
      s.clock.advance(3600_000)
      expect(await bearerError(await get(s, { authorization: `Bearer ${next.access_token}` }))).toMatchObject({ status: 401, error: 'invalid_token' })
    })

    it('requires the openid scope (403 insufficient_scope)', async () => {
      const s = await startServer(factory)
      const tokens = await login(s, await createMintClient(s), ['profile'])
      const res = await bearerError(await get(s, { authorization: `Bearer ${tokens.access_token}` }))
      expect(res).toMatchObject({ status: 403, error: 'insufficient_scope' })
      expect(res.challenge).toContain('scope="openid"')
    })

    it('is advertised in discovery', async () => {
      const s = await startServer(factory)
      const doc = (await (await s.publicFetch('http://localhost/.well-known/openid-configuration')).json()) as Record<string, unknown>
      expect(doc.userinfo_endpoint).toBe(`${ISSUER}/userinfo`)
      expect(doc.userinfo_signing_alg_values_supported).toEqual(['none'])
      expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']))
    })
  })
}
