import { describe, expect, it } from 'bun:test'
import { buildApp } from '../../src/app.ts'
import { createCore } from '../../src/context.ts'
import { DEMO_CLIENT_ID, demoAuthorizeUrl, demoSecret, ensureDemoClient, openDemoState } from '../../src/dev/demo_client.ts'
import { startServer, storeFactories, testConfig } from '../_harness.ts'

for (const factory of storeFactories()) {
  describe(`demo client (${factory.name})`, () => {
    it('is created once and left alone while it is current', async () => {
      const s = await startServer(factory, { dev: true })
      const first = await ensureDemoClient(s.ctx)
      expect(first).toEqual({
        client_id: DEMO_CLIENT_ID,
        client_secret: demoSecret(s.ctx),
        redirect_uri: 'https://gatehouse.test/oauth2/fallbacks/callback',
      })
      const { data: created } = await s.hydra.oauth2.getOAuth2Client({ id: DEMO_CLIENT_ID })
      expect(created).toMatchObject({
        redirect_uris: [first.redirect_uri],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      })
      s.clock.advance(60_000)
      expect(await ensureDemoClient(s.ctx)).toEqual(first)
      const { data: kept } = await s.hydra.oauth2.getOAuth2Client({ id: DEMO_CLIENT_ID })
      expect(kept.updated_at).toBe(created.updated_at!)
    })

    it('is brought back to this node: its public URL as redirect URI, its system secret as client secret', async () => {
      const s = await startServer(factory, { dev: true })
      const old = await ensureDemoClient(s.ctx)
      const config = testConfig({ dev: true, 'urls.self.issuer': 'http://localhost:4444', 'secrets.system': ['another-system-secret-0123'] })
      const other = buildApp({ core: createCore({ config, store: s.store, clock: s.clock }) }).ctx
      const now = await ensureDemoClient(other)
      expect(now.redirect_uri).toBe('http://localhost:4444/oauth2/fallbacks/callback')
      expect(now.client_secret).not.toBe(old.client_secret)
      const record = (await other.clients.get(DEMO_CLIENT_ID))!
      expect(record.client.redirect_uris).toEqual([now.redirect_uri])
      expect(await other.clients.verifySecret(record, now.client_secret)).toBe(true)
      expect(await other.clients.verifySecret(record, old.client_secret)).toBe(false)
    })

    it('seals a fresh PKCE verifier and nonce into the state of each authorize URL', async () => {
      const s = await startServer(factory, { dev: true })
      const a = new URL(demoAuthorizeUrl(s.ctx))
      const b = new URL(demoAuthorizeUrl(s.ctx))
      expect(a.searchParams.get('state')).not.toBe(b.searchParams.get('state'))
      const state = openDemoState(s.ctx, a.searchParams.get('state')!)!
      expect(state.nonce).toBe(a.searchParams.get('nonce')!)
      const challenge = new Bun.CryptoHasher('sha256').update(state.verifier).digest('base64url')
      expect(a.searchParams.get('code_challenge')).toBe(challenge)
      expect(a.searchParams.get('code_challenge_method')).toBe('S256')
      expect(openDemoState(s.ctx, 'x'.repeat(40))).toBeNull()
    })
  })
}
