import { describe, expect, it } from 'bun:test'
import { buildApp } from '../../src/app.ts'
import { createCore } from '../../src/context.ts'
import { issueTokens, type Issuance } from '../../src/oauth2/issue.ts'
import { NEVER_EXPIRES } from '../../src/oauth2/lifespan.ts'
import { TOKEN_TABLES } from '../../src/store/sql/tokens.ts'
import { createClient, storeFactories, TEST_SECRET, testConfig, tokenCount, type TestServer } from '../_harness.ts'
import { clientCredentials, sharedServers, signatureOf } from './_oauth2.ts'

const BASE: Issuance = { subject: 'alice', grantedScope: ['openid', 'offline'], grantedAudience: ['https://api.test'], refresh: true }

async function clientOf(s: TestServer, body = {}) {
  const created = await createClient(s, { grant_types: ['client_credentials', 'refresh_token'], ...body })
  return (await s.ctx.clients.get(created.client_id))!.client
}

async function dump(s: TestServer): Promise<string> {
  const rows = []
  for (const table of Object.values(TOKEN_TABLES)) rows.push(...(await s.store.driver.all(`SELECT * FROM ${table}`)))
  return JSON.stringify(rows)
}

for (const factory of storeFactories()) {
  describe(`issue.ts (${factory.name})`, () => {
    const server = sharedServers(factory)
    it('mints a refresh token beside the access token, in one family, linked to it', async () => {
      const s = await server()
      const client = await clientOf(s)
      const res = await issueTokens(s.ctx, 'refresh_token', client, { ...BASE, requestId: 'grant-1', flowId: null })
      expect(res).toEqual({
        access_token: expect.stringMatching(/^ory_at_/),
        refresh_token: expect.stringMatching(/^ory_rt_[A-Za-z0-9_-]{51}\.[A-Za-z0-9_-]{43}$/),
        token_type: 'bearer',
        expires_in: 3600,
        scope: 'openid offline',
      })
      const atSig = signatureOf(s, res.access_token)
      const rtSig = signatureOf(s, res.refresh_token!)
      const at = (await s.store.tokens.get('access_token', atSig))!
      const rt = (await s.store.tokens.get('refresh_token', rtSig))!
      expect(at).toMatchObject({ request_id: 'grant-1', subject: 'alice', client_id: client.client_id, active: true, access_token_signature: null })
      expect(rt).toMatchObject({ request_id: 'grant-1', granted_scope: ['openid', 'offline'], granted_audience: ['https://api.test'] })
      expect(rt.access_token_signature).toBe(atSig)
      expect(rt.expires_at - rt.requested_at).toBe(720 * 3600_000)
    })

    it('gives each grant a new UUIDv7 request id, so ids issued one after another sort in that order', async () => {
      const s = await server()
      const client = await clientOf(s)
      const ids: string[] = []
      for (let i = 0; i < 50; i++) {
        const res = await issueTokens(s.ctx, 'client_credentials', client, { ...BASE, refresh: false })
        ids.push((await s.store.tokens.get('access_token', signatureOf(s, res.access_token)))!.request_id)
      }
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(new Set(ids).size).toBe(ids.length)
      expect([...ids].sort()).toEqual(ids)
    })

    it('uses per-client refresh lifespans, explicit lifespans, and -1 for never', async () => {
      const s = await server({ 'ttl.refresh_token': '-1' })
      const client = await clientOf(s, { refresh_token_grant_refresh_token_lifespan: '2h', refresh_token_grant_access_token_lifespan: '5m' })
      const own = await issueTokens(s.ctx, 'refresh_token', client, BASE)
      expect(own.expires_in).toBe(300)
      expect((await s.store.tokens.get('refresh_token', signatureOf(s, own.refresh_token!)))!.expires_at).toBe(s.clock() + 2 * 3600_000)
      const never = await issueTokens(s.ctx, 'authorization_code', client, BASE)
      expect((await s.store.tokens.get('refresh_token', signatureOf(s, never.refresh_token!)))!.expires_at).toBe(NEVER_EXPIRES)
      const { data } = await s.hydra.oauth2.introspectOAuth2Token({ token: never.refresh_token! })
      expect(data.active).toBe(true)
      expect(data.exp).toBeUndefined()
      const explicit = await issueTokens(s.ctx, 'authorization_code', client, { ...BASE, accessTokenLifespan: 60_000, refreshTokenLifespan: 120_000 })
      expect(explicit.expires_in).toBe(60)
    })

    it('keeps neither token strings nor their random parts in the database', async () => {
      const s = await server()
      const client = await clientOf(s)
      const opaque = await issueTokens(s.ctx, 'refresh_token', client, { ...BASE, accessTokenClaims: { marker: 'ext-claim-value' } })
      const cc = await clientCredentials(s, await createClient(s))
      const jwtClient = await clientOf(s, { access_token_strategy: 'jwt' })
      const jwt = await issueTokens(s.ctx, 'refresh_token', jwtClient, BASE)
      const db = await dump(s)
      for (const token of [opaque.access_token, opaque.refresh_token!, cc.access_token, jwt.refresh_token!]) {
        expect(db).not.toContain(token)
        expect(db).not.toContain(token.slice(7, token.indexOf('.')))
        expect(db).toContain(token.slice(token.indexOf('.') + 1))
      }
      const [header, payload] = jwt.access_token.split('.')
      expect(db).not.toContain(jwt.access_token)
      expect(db).not.toContain(`${header}.${payload}`)
      expect(db).not.toContain(payload!)
      // Session data is sealed, so the ext claims are not readable either.
      expect(db).not.toContain('ext-claim-value')
    })

    it('validates tokens under every system secret after rotation', async () => {
      const s = await server()
      const client = await clientOf(s)
      const old = await issueTokens(s.ctx, 'refresh_token', client, BASE)
      const rotated = buildApp({ core: createCore({ config: testConfig({ 'secrets.system': ['a-brand-new-system-secret-0001', TEST_SECRET] }), store: s.store, clock: s.clock }) })
      const introspect = async (token: string) =>
        (await rotated.adminApp.handle(new Request('http://localhost/admin/oauth2/introspect', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token }),
        }))).json()
      expect(await introspect(old.access_token)).toMatchObject({ active: true, sub: 'alice' })
      expect(await introspect(old.refresh_token!)).toMatchObject({ active: true, token_use: 'refresh_token' })
      const fresh = await issueTokens(rotated.ctx, 'refresh_token', client, BASE)
      expect(await introspect(fresh.access_token)).toMatchObject({ active: true })
      // The old secret alone cannot validate a token signed with the new one.
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: fresh.access_token })).data).toEqual({ active: false })
    })

    it('adds extra response members but never replaces the core’s', async () => {
      const s = await server()
      const client = await clientOf(s)
      let seen: unknown
      const res = await issueTokens(s.ctx, 'refresh_token', client, {
        ...BASE,
        extraResponse: async (minted) => {
          seen = minted
          return { id_token: 'an-id-token', access_token: 'replaced?', token_type: 'mac', scope: 'everything' }
        },
      })
      expect(res).toMatchObject({ id_token: 'an-id-token', token_type: 'bearer', scope: 'openid offline' })
      expect(res.access_token).toStartWith('ory_at_')
      expect(seen).toMatchObject({ access_token: res.access_token, refresh_token: res.refresh_token, request_id: expect.any(String) })
    })

    it('deactivates what it stored when the extra response fails', async () => {
      const s = await server()
      const client = await clientOf(s)
      let minted: { access_token: string; refresh_token?: string } | undefined
      const failing = issueTokens(s.ctx, 'refresh_token', client, {
        ...BASE,
        extraResponse: async (m) => {
          minted = m
          throw new Error('signing failed')
        },
      })
      expect(((await failing.catch((e) => e)) as Error).message).toBe('signing failed')
      for (const token of [minted!.access_token, minted!.refresh_token!]) {
        expect((await s.hydra.oauth2.introspectOAuth2Token({ token })).data.active).toBe(false)
      }
    })

    it('asks for the extra response while the tokens are written, and hands it out only once they are stored', async () => {
      const s = await server()
      const client = await clientOf(s)
      const tokens = s.ctx.store.tokens
      const insertAll = tokens.insertAll
      let open!: (fail: boolean) => void
      const gate = new Promise<boolean>((resolve) => (open = resolve))
      tokens.insertAll = async (rows) => {
        if (await gate) throw new Error('disk full')
        return insertAll.call(tokens, rows)
      }
      try {
        let asked = 0
        let storedSeen: Promise<void> | undefined
        const extraResponse: Issuance['extraResponse'] = async (_minted, stored) => {
          asked++
          storedSeen = stored
          await stored
          return { id_token: 'signed-meanwhile' }
        }
        const ok = issueTokens(s.ctx, 'refresh_token', client, { ...BASE, extraResponse })
        // Asked before the write has settled (the gate is still closed).
        expect(asked).toBe(1)
        open(false)
        expect(await ok).toMatchObject({ id_token: 'signed-meanwhile', refresh_token: expect.any(String) })
        expect(storedSeen).toBeInstanceOf(Promise)
      } finally {
        tokens.insertAll = insertAll
      }
    })

    it('fails with the write’s error, and hands nothing out, when the tokens cannot be stored', async () => {
      const s = await server()
      const client = await clientOf(s)
      const tokens = s.ctx.store.tokens
      const insertAll = tokens.insertAll
      tokens.insertAll = async () => {
        throw new Error('disk full')
      }
      const before = await dump(s)
      try {
        let sawFailure = false
        const res = issueTokens(s.ctx, 'refresh_token', client, {
          ...BASE,
          extraResponse: async (_minted, stored) => {
            await stored.catch(() => (sawFailure = true))
            throw new Error('no tokens, no ID token')
          },
        })
        expect(((await res.catch((e) => e)) as Error).message).toBe('disk full')
        expect(sawFailure).toBe(true)
        expect(await dump(s)).toBe(before)
      } finally {
        tokens.insertAll = insertAll
      }
    })

    it('fails closed on an incomplete decision', async () => {
      const s = await server()
      const client = await clientOf(s)
      const bad: unknown[] = [
        undefined,
        null,
        {},
        { ...BASE, subject: '' },
        { ...BASE, grantedScope: 'openid' },
        { ...BASE, grantedAudience: [1] },
        { ...BASE, refresh: 'yes' },
        { ...BASE, accessTokenLifespan: 0 },
        { ...BASE, accessTokenLifespan: -1 },
        { ...BASE, refreshTokenLifespan: Number.NaN },
      ]
      for (const issuance of bad) {
        const err = await issueTokens(s.ctx, 'custom', client, issuance as Issuance).catch((e) => e)
        expect(err).toMatchObject({ error: 'server_error', status: 500 })
      }
      expect(await issueTokens(s.ctx, 'custom', null, BASE).catch((e) => e)).toMatchObject({ error: 'server_error' })
      expect(await tokenCount(s, 'access_token', client.client_id)).toBe(0)
      expect(await tokenCount(s, 'refresh_token', client.client_id)).toBe(0)
    })

    it('puts allowed top-level claims into JWT access tokens without letting them override reserved ones', async () => {
      const s = await server({
        'strategies.access_token': 'jwt',
        'oauth2.allowed_top_level_claims': ['tenant', 'sub', 'missing'],
        'oauth2.mirror_top_level_claims': false,
      })
      const client = await clientOf(s)
      const res = await issueTokens(s.ctx, 'refresh_token', client, { ...BASE, accessTokenClaims: { tenant: 't1', sub: 'mallory', other: 1 } })
      const payload = JSON.parse(Buffer.from(res.access_token.split('.')[1]!, 'base64url').toString())
      expect(payload).toMatchObject({ sub: 'alice', tenant: 't1', ext: { sub: 'mallory', other: 1 } })
      expect(payload.ext.tenant).toBeUndefined()
      expect(payload.missing).toBeUndefined()
      const { data } = await s.hydra.oauth2.introspectOAuth2Token({ token: res.access_token })
      expect(data.ext).toEqual({ tenant: 't1', sub: 'mallory', other: 1 })

      const mirrored = await server({ 'strategies.access_token': 'jwt', 'oauth2.allowed_top_level_claims': ['tenant'] })
      const c2 = await clientOf(mirrored)
      const r2 = await issueTokens(mirrored.ctx, 'refresh_token', c2, { ...BASE, accessTokenClaims: { tenant: 't1' } })
      expect(JSON.parse(Buffer.from(r2.access_token.split('.')[1]!, 'base64url').toString())).toMatchObject({ tenant: 't1', ext: { tenant: 't1' } })
    })
  })
}
