import { createHash } from 'node:crypto'
import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import { decodeProtectedHeader } from 'jose'
import {
  createMintClient,
  introspect,
  issueCode,
  ISSUER,
  redeem,
  startServer,
  storeFactories,
  verifyJwt,
  type CodeClient,
  type TestServer,
} from '../_harness.ts'
import { halfHash } from '../../src/oidc/hash_claim.ts'
import type { AuthorizeSession } from '../../src/oauth2/authorize_session.ts'

const PAIRWISE = {
  'oidc.subject_identifiers.supported_types': ['public', 'pairwise'],
  'oidc.subject_identifiers.pairwise.salt': 'pairwise-salt-0123456789',
}

async function idTokenOf(s: TestServer, client: CodeClient, session: Partial<AuthorizeSession> = {}) {
  const tokens = await redeem(s, client, await issueCode(s, client, { session }), { nonce: session.nonce ?? undefined })
  return { tokens, claims: await verifyJwt(s, tokens.id_token!) }
}

const pairwiseSub = (host: string, subject: string) =>
  createHash('sha256').update(host).update(subject).update(PAIRWISE['oidc.subject_identifiers.pairwise.salt']).digest('hex')

for (const factory of storeFactories()) {
  describe(`ID tokens (${factory.name})`, () => {
    it('carries the authentication: iss sub aud exp iat auth_time rat nonce acr amr sid at_hash', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const now = Math.floor(s.clock() / 1000)
      const { tokens, claims } = await idTokenOf(s, client, {
        nonce: 'n-0123456789abcdef',
        sid: 'sid-42',
        auth_time: now - 300,
        requested_at: now - 200,
        acr: 'urn:acr:mfa',
        amr: ['pwd', 'otp'],
      })
      expect(claims).toEqual({
        iss: ISSUER,
        sub: 'alice',
        aud: [client.client_id],
        exp: now + 3600,
        iat: now,
        jti: expect.any(String),
        auth_time: now - 300,
        rat: now - 200,
        nonce: 'n-0123456789abcdef',
        acr: 'urn:acr:mfa',
        amr: ['pwd', 'otp'],
        sid: 'sid-42',
        at_hash: halfHash(tokens.access_token, 'ES256'),
      })
      const header = decodeProtectedHeader(tokens.id_token!)
      expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' })
      const jwks = (await (await s.publicFetch('http://localhost/.well-known/jwks.json')).json()) as { keys: { kid: string }[] }
      expect(jwks.keys.map((k) => k.kid)).toContain(header.kid!)
    })

    it('leaves out nonce, acr and amr when the authentication had none', async () => {
      const s = await startServer(factory)
      const { claims } = await idTokenOf(s, await createMintClient(s))
      expect(claims).not.toHaveProperty('nonce')
      expect(claims).not.toHaveProperty('acr')
      expect(claims).not.toHaveProperty('amr')
    })

    it('lives ttl.id_token', async () => {
      const s = await startServer(factory, { 'ttl.id_token': '15m' })
      const { claims } = await idTokenOf(s, await createMintClient(s))
      expect(claims.exp! - claims.iat!).toBe(900)
    })

    it('merges consent session.id_token claims without letting them override the reserved ones', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const forged = Object.fromEntries(
        ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'sid', 'at_hash', 'c_hash', 'rat', 'azp'].map((c) => [c, 'forged']),
      )
      const { claims } = await idTokenOf(s, client, {
        nonce: 'n-0123456789abcdef',
        acr: 'loa1',
        id_token_claims: { ...forged, email: 'alice@example.com', email_verified: true, address: { country: 'NL' } },
      })
      expect(claims).toMatchObject({ email: 'alice@example.com', email_verified: true, address: { country: 'NL' } })
      expect(claims).toMatchObject({ iss: ISSUER, sub: 'alice', aud: [client.client_id], nonce: 'n-0123456789abcdef', acr: 'loa1' })
      for (const name of ['nbf', 'c_hash', 'azp', 'amr']) expect(claims).not.toHaveProperty(name)
      for (const value of Object.values(claims)) expect(value).not.toBe('forged')
    })

    it('gives pairwise clients a pairwise sub per sector; introspection keeps the local subject', async () => {
      const s = await startServer(factory, PAIRWISE)
      const a = await createMintClient(s, { subject_type: 'pairwise', redirect_uris: ['https://rp-a.example/cb'] })
      const b = await createMintClient(s, { subject_type: 'pairwise', redirect_uris: ['https://rp-b.example/cb'] })
      const pub = await createMintClient(s)
      const redeemAt = async (client: CodeClient, uri: string) => {
        const code = await issueCode(s, client, { session: { redirect_uri: uri, effective_redirect_uri: uri } })
        return redeem(s, client, code, { redirectUri: uri })
      }
      const ta = await redeemAt(a, 'https://rp-a.example/cb')
      const tb = await redeemAt(b, 'https://rp-b.example/cb')
      expect(oauth.getValidatedIdTokenClaims(ta)!.sub).toBe(pairwiseSub('rp-a.example', 'alice'))
      expect(oauth.getValidatedIdTokenClaims(tb)!.sub).toBe(pairwiseSub('rp-b.example', 'alice'))
      expect((await introspect(s, ta.access_token)).sub).toBe('alice')
      expect((await idTokenOf(s, pub)).claims.sub).toBe('alice')
    })

    it('uses force_subject_identifier for pairwise clients only, as Hydra does', async () => {
      const s = await startServer(factory, PAIRWISE)
      const pairwise = await createMintClient(s, { subject_type: 'pairwise', redirect_uris: ['https://rp.example/cb'] })
      const uri = 'https://rp.example/cb'
      const code = await issueCode(s, pairwise, { session: { redirect_uri: uri, effective_redirect_uri: uri, force_subject_identifier: 'forced-sub' } })
      const tokens = await redeem(s, pairwise, code, { redirectUri: uri })
      expect(oauth.getValidatedIdTokenClaims(tokens)!.sub).toBe('forced-sub')
      expect((await introspect(s, tokens.access_token)).sub).toBe('alice')

      const pub = await createMintClient(s)
      expect((await idTokenOf(s, pub, { force_subject_identifier: 'forced-sub' })).claims.sub).toBe('alice')
    })
  })
}
