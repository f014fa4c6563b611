import { describe, expect, it } from 'bun:test'
import {
  createMintClient,
  introspect,
  issueCode,
  redeem,
  refresh,
  startServer,
  storeFactories,
  verifyJwt,
  type TestServer,
} from '../../_harness.ts'
import { halfHash } from '../../../src/oidc/hash_claim.ts'
import { cluster, statusAndError, tokenRequest } from './_grants.ts'

const GRACE = { 'oauth2.grant.refresh_token.rotation_grace_period': '1m' }

async function start(s: TestServer, scope = ['openid', 'offline_access']) {
  const client = await createMintClient(s)
  const tokens = await redeem(s, client, await issueCode(s, client, { scope, session: { nonce: 'nonce-0123456789' } }), { nonce: 'nonce-0123456789' })
  return { client, tokens }
}

const refreshForm = (refresh_token: string, extra: Record<string, string> = {}) => ({ grant_type: 'refresh_token', refresh_token, ...extra })

async function expectInactive(s: TestServer, ...tokens: (string | undefined)[]) {
  for (const token of tokens) expect((await introspect(s, token!)).active).toBe(false)
}

for (const factory of storeFactories()) {
  describe(`refresh_token grant (${factory.name})`, () => {
    it('rotates: new tokens of the same grant, the presented refresh token and its access token retired', async () => {
      const s = await startServer(factory)
      const { client, tokens } = await start(s)
      s.clock.advance(60_000)
      const next = await refresh(s, client, tokens.refresh_token!)
      expect(next.refresh_token).toStartWith('ory_rt_')
      expect(next.refresh_token).not.toBe(tokens.refresh_token)
      expect(next.scope).toBe('openid offline_access')
      await expectInactive(s, tokens.access_token, tokens.refresh_token)
      expect(await introspect(s, next.access_token)).toMatchObject({ active: true, sub: 'alice', client_id: client.client_id })
      expect((await introspect(s, next.refresh_token!)).active).toBe(true)
      const third = await refresh(s, client, next.refresh_token!)
      await expectInactive(s, next.access_token, next.refresh_token)
      expect((await introspect(s, third.access_token)).active).toBe(true)
    })

    it('issues a new ID token describing the original authentication, without nonce (OIDC Core §12.2)', async () => {
      const s = await startServer(factory)
      const { client, tokens } = await start(s)
      const first = await verifyJwt(s, tokens.id_token!)
      s.clock.advance(120_000)
      const next = await refresh(s, client, tokens.refresh_token!)
      const claims = await verifyJwt(s, next.id_token!)
      expect(claims).toMatchObject({ iss: first.iss, sub: first.sub, aud: first.aud, auth_time: first.auth_time, sid: first.sid, rat: first.rat })
      expect(claims.iat).toBe(first.iat! + 120)
      expect(claims.nonce).toBeUndefined()
      expect(claims.at_hash).toBe(halfHash(next.access_token, s.ctx.config.keys.algorithms.id_token))
    })

    it('refuses a rotated refresh token and revokes the whole family (reuse detection)', async () => {
      const s = await startServer(factory)
      const { client, tokens } = await start(s)
      const next = await refresh(s, client, tokens.refresh_token!)
      const reuse = await tokenRequest(s, client, refreshForm(tokens.refresh_token!))
      expect(await statusAndError(reuse)).toEqual({ status: 400, error: 'invalid_grant' })
      await expectInactive(s, tokens.access_token, tokens.refresh_token, next.access_token, next.refresh_token)
      expect(await statusAndError(await tokenRequest(s, client, refreshForm(next.refresh_token!)))).toEqual({ status: 400, error: 'invalid_grant' })
    })

    it('lets exactly one of concurrent refreshes on several nodes win; the others are reuse, so the family is revoked', async () => {
      const nodes = await cluster(factory, 4)
      const { client, tokens } = await start(nodes[0]!)
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => tokenRequest(nodes[i % nodes.length]!, client, refreshForm(tokens.refresh_token!))),
      )
      const ok = responses.filter((r) => r.status === 200)
      expect(ok).toHaveLength(1)
      for (const r of responses.filter((r) => r.status !== 200)) expect(await statusAndError(r)).toEqual({ status: 400, error: 'invalid_grant' })
      const winner = (await ok[0]!.json()) as { access_token: string; refresh_token: string }
      await expectInactive(nodes[0]!, winner.access_token, winner.refresh_token, tokens.access_token)
    })

    it('lets concurrent refreshes within the grace period all succeed without revoking anything', async () => {
      const nodes = await cluster(factory, 3, GRACE)
      const { client, tokens } = await start(nodes[0]!)
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) => tokenRequest(nodes[i % nodes.length]!, client, refreshForm(tokens.refresh_token!))),
      )
      expect(responses.map((r) => r.status)).toEqual(Array(6).fill(200))
      for (const r of responses) {
        const body = (await r.json()) as { access_token: string; refresh_token: string }
        expect((await introspect(nodes[0]!, body.access_token)).active).toBe(true)
        expect((await introspect(nodes[0]!, body.refresh_token)).active).toBe(true)
      }
    })

    it('graceful rotation: a used token works within the grace period, and is reuse after it', async () => {
      const s = await startServer(factory, GRACE)
      const { client, tokens } = await start(s)
      const a = await refresh(s, client, tokens.refresh_token!)
      s.clock.advance(59_000)
      const b = await refresh(s, client, tokens.refresh_token!)
      // Only the access token issued beside the presented refresh token is retired.
      expect((await introspect(s, tokens.access_token)).active).toBe(false)
      expect((await introspect(s, a.access_token)).active).toBe(true)
      expect((await introspect(s, b.access_token)).active).toBe(true)
      expect((await introspect(s, tokens.refresh_token!)).active).toBe(true)

      s.clock.advance(1_000)
      expect((await introspect(s, tokens.refresh_token!)).active).toBe(false)
      const late = await tokenRequest(s, client, refreshForm(tokens.refresh_token!))
      expect(await statusAndError(late)).toEqual({ status: 400, error: 'invalid_grant' })
      await expectInactive(s, a.access_token, a.refresh_token, b.access_token, b.refresh_token)
    })

    it('graceful rotation: rotation_grace_reuse_count limits the reuses', async () => {
      const s = await startServer(factory, { ...GRACE, 'oauth2.grant.refresh_token.rotation_grace_reuse_count': 1 })
      const { client, tokens } = await start(s)
      const a = await refresh(s, client, tokens.refresh_token!)
      const b = await refresh(s, client, tokens.refresh_token!)
      const c = await tokenRequest(s, client, refreshForm(tokens.refresh_token!))
      expect(await statusAndError(c)).toEqual({ status: 400, error: 'invalid_grant' })
      await expectInactive(s, a.access_token, a.refresh_token, b.access_token, b.refresh_token)
    })

    it('grants a narrower scope on request, keeps the refresh token’s scope, and refuses a wider one (RFC 6749 §6)', async () => {
      const s = await startServer(factory)
      const { client, tokens } = await start(s, ['openid', 'offline_access', 'profile'])
      const wider = await tokenRequest(s, client, refreshForm(tokens.refresh_token!, { scope: 'openid email' }))
      expect(await statusAndError(wider)).toEqual({ status: 400, error: 'invalid_scope' })
      expect((await introspect(s, tokens.refresh_token!)).active).toBe(true)

      const narrow = await refresh(s, client, tokens.refresh_token!, { scope: 'profile' })
      expect(narrow.scope).toBe('profile')
      expect(narrow.id_token).toBeUndefined()
      expect(await introspect(s, narrow.access_token)).toMatchObject({ active: true, scope: 'profile' })
      expect(await introspect(s, narrow.refresh_token!)).toMatchObject({ active: true, scope: 'openid offline_access profile' })
      const full = await refresh(s, client, narrow.refresh_token!)
      expect(full.scope).toBe('openid offline_access profile')
    })

    it('refuses a refresh token of another client without spending it', async () => {
      const s = await startServer(factory)
      const { client, tokens } = await start(s)
      const other = await createMintClient(s)
      const res = await tokenRequest(s, other, refreshForm(tokens.refresh_token!))
      expect(await statusAndError(res)).toEqual({ status: 400, error: 'invalid_grant' })
      expect((await refresh(s, client, tokens.refresh_token!)).access_token).toStartWith('ory_at_')
    })

    it('refuses expired, revoked, missing, garbage and non-refresh tokens', async () => {
      const s = await startServer(factory, { 'ttl.refresh_token': '2h' })
      const { client, tokens } = await start(s)
      expect(await statusAndError(await tokenRequest(s, client, { grant_type: 'refresh_token' }))).toEqual({ status: 400, error: 'invalid_request' })
      for (const bad of ['garbage', tokens.access_token, `ory_rt_${'A'.repeat(43)}.${'B'.repeat(43)}`, tokens.refresh_token!.slice(0, -1)]) {
        expect(await statusAndError(await tokenRequest(s, client, refreshForm(bad)))).toEqual({ status: 400, error: 'invalid_grant' })
      }
      s.clock.advance(2 * 3600_000)
      expect(await statusAndError(await tokenRequest(s, client, refreshForm(tokens.refresh_token!)))).toEqual({ status: 400, error: 'invalid_grant' })

      const fresh = await start(s)
      await s.publicFetch('http://localhost/oauth2/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa(`${fresh.client.client_id}:${fresh.client.client_secret}`)}` },
        body: new URLSearchParams({ token: fresh.tokens.refresh_token! }).toString(),
      })
      expect(await statusAndError(await tokenRequest(s, fresh.client, refreshForm(fresh.tokens.refresh_token!)))).toEqual({ status: 400, error: 'invalid_grant' })
    })

    it('honours the client’s refresh_token_grant lifespans', async () => {
      const s = await startServer(factory)
      const { client, tokens } = await start(s)
      await s.hydra.oauth2.setOAuth2ClientLifespans({
        id: client.client_id,
        oAuth2ClientTokenLifespans: { refresh_token_grant_access_token_lifespan: '10m', refresh_token_grant_refresh_token_lifespan: '1h' },
      })
      const next = await refresh(s, client, tokens.refresh_token!)
      expect(next.expires_in).toBe(600)
      const rt = await introspect(s, next.refresh_token!)
      expect(rt.exp).toBe(Math.floor(s.clock() / 1000) + 3600)
    })

    it('is refused to a client not allowed the refresh_token grant', async () => {
      const s = await startServer(factory)
      const { client, tokens } = await start(s)
      await s.hydra.oauth2.patchOAuth2Client({
        id: client.client_id,
        jsonPatch: [{ op: 'replace', path: '/grant_types', value: ['authorization_code'] }],
      })
      const res = await tokenRequest(s, client, refreshForm(tokens.refresh_token!))
      expect(await statusAndError(res)).toEqual({ status: 400, error: 'unauthorized_client' })
    })
  })
}
