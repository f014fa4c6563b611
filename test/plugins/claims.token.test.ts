import { describe, expect, it } from 'bun:test'
import { decodeJwt } from 'jose'
import { AccessDenied, definePlugin, type TokenClaimsContext } from 'gatehouse/plugin'
import {
  createClient,
  createMintClient,
  errorOf,
  introspect,
  issueCode,
  redeem,
  refresh,
  storeFactories,
  USERINFO_URL,
  verifyJwt,
} from '../_harness.ts'
import { never, startWithPlugins, token, tokenCounts } from './_plugins.ts'

const seen: TokenClaimsContext[] = []

const tenant = definePlugin({
  name: 'tenant',
  version: '1.0.0',
  setup(api) {
    api.hook('token.claims', (t) => {
      seen.push(t)
      return { accessToken: { tenant: 'acme', tier: 'gold' }, idToken: { tenant: 'acme' } }
    })
  },
})

const tier = definePlugin({
  name: 'tier',
  version: '1.0.0',
  setup(api) {
    api.hook('token.claims', async (t) => ({ accessToken: { tier: 'platinum', seen_tenant: t.accessTokenClaims.tenant ?? null } }))
  },
})

const misbehaving = (name: string, hook: () => unknown) =>
  definePlugin({ name, version: '0.0.1', setup: (api) => api.hook('token.claims', hook as never) })

for (const factory of storeFactories()) {
  describe(`token.claims hook (${factory.name})`, () => {
    it('adds access-token claims to every client_credentials token, merged in plugin order, shown by introspection', async () => {
      const s = await startWithPlugins(factory, [tenant, tier])
      const client = await createClient(s, { scope: 'read' })
      const res = await token(s, { grant_type: 'client_credentials', scope: 'read' }, client)
      expect(res.status).toBe(200)
      const { access_token } = (await res.json()) as { access_token: string }
      const info = await introspect(s, access_token)
      expect(info.ext).toEqual({ tenant: 'acme', tier: 'platinum', seen_tenant: 'acme' })
      const ctx = seen.at(-1)!
      expect(ctx.grantType).toBe('client_credentials')
      expect(ctx.subject).toBe(client.client_id)
      expect(ctx.client.client_id).toBe(client.client_id)
      expect(ctx.scopes).toEqual(['read'])
      expect(ctx.idToken).toBe(false)
      expect(ctx.requestedAt).toBe(s.clock())
    })

    it('puts the claims into JWT access tokens: ext, and the top level for allowed_top_level_claims', async () => {
      const s = await startWithPlugins(factory, [tenant], {
        'strategies.access_token': 'jwt',
        'oauth2.allowed_top_level_claims': ['tenant'],
      })
      const client = await createClient(s)
      const res = await token(s, { grant_type: 'client_credentials' }, client)
      const claims = decodeJwt(((await res.json()) as { access_token: string }).access_token)
      expect(claims.tenant).toBe('acme')
      expect(claims.ext).toEqual({ tenant: 'acme', tier: 'gold' })
      expect(claims.sub).toBe(client.client_id)
    })

    it('adds ID-token claims to the code grant ID token, to userinfo and again on refresh', async () => {
      const s = await startWithPlugins(factory, [tenant])
      const client = await createMintClient(s)
      const code = await issueCode(s, client, { session: { id_token_claims: { email: 'alice@example.com' } } })
      const tokens = await redeem(s, client, code)
      const id = await verifyJwt(s, tokens.id_token!)
      expect(id.tenant).toBe('acme')
      expect(id.email).toBe('alice@example.com')
      expect(seen.at(-1)!.idToken).toBe(true)
      expect(seen.at(-1)!.idTokenClaims).toEqual({ email: 'alice@example.com' })

      const info = await s.publicFetch(USERINFO_URL, { headers: { authorization: `Bearer ${tokens.access_token}` } })
      expect(await info.json()).toEqual({ sub: 'alice', email: 'alice@example.com', tenant: 'acme' })
      expect((await introspect(s, tokens.access_token)).ext).toEqual({ tenant: 'acme', tier: 'gold' })

      const refreshed = await refresh(s, client, tokens.refresh_token!)
      expect(seen.at(-1)!.grantType).toBe('refresh_token')
      expect((await verifyJwt(s, refreshed.id_token!)).tenant).toBe('acme')
    })

    describe('bad plugins are contained', () => {
      const cases: [string, () => unknown, number, string][] = [
        ['throws an Error', () => { throw new Error('boom') }, 500, 'server_error'],
        ['returns a string', () => 'claims', 500, 'server_error'],
        ['returns unknown members', () => ({ access: { a: 1 } }), 500, 'server_error'],
        ['returns a non-JSON claim', () => ({ accessToken: { when: new Date(0) } }), 500, 'server_error'],
        ['overrides sub in the access token', () => ({ accessToken: { sub: 'admin' } }), 500, 'server_error'],
        ['overrides client_id in the access token', () => ({ accessToken: { client_id: 'other' } }), 500, 'server_error'],
        ['overrides nonce in the ID token', () => ({ idToken: { nonce: 'x' } }), 500, 'server_error'],
        ['hangs past its timeout', () => never(), 500, 'server_error'],
        ['throws an OAuthError', () => { throw AccessDenied.with({ hint: 'Locked account.' }) }, 403, 'access_denied'],
      ]
      for (const [what, hook, status, error] of cases) {
        it(`answers ${status} ${error} when a hook ${what}, issues nothing and keeps serving`, async () => {
          const bad = misbehaving('bad-plugin', hook)
          const entry = what.startsWith('hangs') ? { name: 'bad-plugin', timeout: '5ms' } : 'bad-plugin'
          const s = await startWithPlugins(factory, [bad], { plugins: [entry] })
          const client = await createClient(s)
          const res = await token(s, { grant_type: 'client_credentials' }, client)
          const body = await errorOf(res)
          expect({ status: body.status, error: body.error }).toEqual({ status, error })
          expect(await tokenCounts(s)).toEqual({ access: 0, refresh: 0 })
          if (error === 'server_error') {
            expect(body.description).not.toContain('boom')
            expect(s.logs.some((l) => l.msg === 'plugin failed' && l.plugin === 'bad-plugin' && l.hook === 'token.claims')).toBe(true)
          } else {
            expect(body.description).toContain('Locked account.')
          }
          const health = await s.publicFetch('http://localhost/health/alive')
          expect(health.status).toBe(200)
        })
      }

      it('leaves a redeemed code unissued when the hook fails: no access, refresh or ID token stored', async () => {
        const s = await startWithPlugins(factory, [misbehaving('bad-plugin', () => ({ idToken: { at_hash: 'x' } }))])
        const client = await createMintClient(s)
        const code = await issueCode(s, client)
        const res = await token(s, { grant_type: 'authorization_code', code, redirect_uri: 'http://localhost/cb' }, client)
        expect((await errorOf(res)).error).toBe('server_error')
        expect(res.status).toBe(500)
        expect(await tokenCounts(s)).toEqual({ access: 0, refresh: 0 })
      })
    })
  })
}
