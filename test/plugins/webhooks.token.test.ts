import { afterAll, describe, expect, it } from 'bun:test'
import { definePlugin } from 'gatehouse/plugin'
import {
  createClient,
  createMintClient,
  errorOf,
  introspect,
  issueCode,
  redeem,
  refresh,
  storeFactories,
  verifyJwt,
} from '../_harness.ts'
import { never, startWithPlugins, token, tokenCounts } from './_plugins.ts'

interface Received {
  path: string
  headers: Headers
  body: Record<string, any>
}

type Answer = (path: string) => Response | Promise<Response>

/** A real HTTP receiver on 127.0.0.1 whose answer each test sets. */
const received: Received[] = []
let answer: Answer = () => new Response(null, { status: 204 })
const receiver = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  async fetch(req) {
    const path = new URL(req.url).pathname
    received.push({ path, headers: req.headers, body: (await req.json()) as Record<string, any> })
    return answer(path)
  },
})
afterAll(() => receiver.stop(true))
const hookUrl = (path: string) => `http://127.0.0.1:${receiver.port}${path}`
const json = (body: unknown, status = 200) => Response.json(body, { status })

const tenant = definePlugin({
  name: 'tenant',
  version: '1.0.0',
  setup: (api) => api.hook('token.claims', () => ({ accessToken: { tenant: 'acme' }, idToken: { tenant: 'acme' } })),
})

for (const factory of storeFactories()) {
  describe(`Hydra token hooks (${factory.name})`, () => {
    const start = (config: Record<string, unknown>) => startWithPlugins(factory, [tenant], config)

    it('POSTs Hydra\'s token hook body and replaces the claims with a 200 answer', async () => {
      answer = () => json({ session: { access_token: { hooked: true }, id_token: { ignored: 1 } } })
      const s = await start({ 'oauth2.token_hook': hookUrl('/token') })
      const client = await createClient(s, { scope: 'read', audience: ['https://api.test'] })
      received.length = 0
      const res = await token(s, { grant_type: 'client_credentials', scope: 'read', audience: 'https://api.test' }, client)
      expect(res.status).toBe(200)
      expect((await introspect(s, ((await res.json()) as { access_token: string }).access_token)).ext).toEqual({ hooked: true })

      expect(received).toHaveLength(1)
      const { headers, body } = received[0]!
      expect(headers.get('content-type')).toBe('application/json')
      expect(body.request).toEqual({
        client_id: client.client_id,
        requested_scopes: ['read'],
        granted_scopes: ['read'],
        requested_audience: ['https://api.test'],
        granted_audience: ['https://api.test'],
        grant_types: ['client_credentials'],
        payload: { grant_type: ['client_credentials'], scope: ['read'], audience: ['https://api.test'] },
      })
      expect(body.session.extra).toEqual({ tenant: 'acme' })
      expect(body.session.client_id).toBe(client.client_id)
      expect(body.session.id_token.subject).toBe(client.client_id)
      expect(body.session.id_token.id_token_claims.sub).toBe(client.client_id)
    })

    it('keeps the claims on 204', async () => {
      answer = () => new Response(null, { status: 204 })
      const s = await start({ 'oauth2.token_hook': hookUrl('/token') })
      const res = await token(s, { grant_type: 'client_credentials' }, await createClient(s))
      expect((await introspect(s, ((await res.json()) as { access_token: string }).access_token)).ext).toEqual({ tenant: 'acme' })
    })

    const failures: [string, Answer, number, string][] = [
      ['403', () => new Response('no', { status: 403 }), 403, 'access_denied'],
      ['500', () => new Response('oops', { status: 500 }), 500, 'server_error'],
      ['a redirect', () => new Response(null, { status: 302, headers: { location: 'http://127.0.0.1:1/' } }), 500, 'server_error'],
      ['200 without JSON', () => new Response('not json', { status: 200 }), 500, 'server_error'],
      ['200 without a session', () => json({ access_token: {} }), 500, 'server_error'],
      ['a body over 5 MiB', () => json({ session: { access_token: { pad: 'x'.repeat(5 << 20) } } }), 500, 'server_error'],
    ]
    for (const [what, reply, status, error] of failures) {
      it(`answers ${status} ${error} when the hook answers ${what}, and issues nothing`, async () => {
        answer = reply
        const s = await start({ 'oauth2.token_hook': hookUrl('/token') })
        const res = await token(s, { grant_type: 'client_credentials' }, await createClient(s))
        expect(await errorOf(res)).toMatchObject({ status, error })
        expect(await tokenCounts(s)).toEqual({ access: 0, refresh: 0 })
        if (error === 'server_error') {
          expect(s.logs.some((l) => l.msg === 'plugin failed' && l.plugin === 'oauth2.token_hook')).toBe(true)
        }
      })
    }

    it('does not call a hook on a private address when clients.http.disallow_private_ip_ranges is on', async () => {
      answer = () => new Response(null, { status: 204 })
      const before = received.length
      const s = await start({ 'oauth2.token_hook': hookUrl('/token'), 'clients.http.disallow_private_ip_ranges': true })
      const res = await token(s, { grant_type: 'client_credentials' }, await createClient(s))
      expect(await errorOf(res)).toMatchObject({ status: 500, error: 'server_error' })
      expect(received.length).toBe(before)
      expect(await tokenCounts(s)).toEqual({ access: 0, refresh: 0 })
      const allowed = await start({
        'oauth2.token_hook': hookUrl('/token'),
        'clients.http.disallow_private_ip_ranges': true,
        'clients.http.private_ip_exception_urls': [hookUrl('/token')],
      })
      expect((await token(allowed, { grant_type: 'client_credentials' }, await createClient(allowed))).status).toBe(200)
      expect(received.length).toBe(before + 1)
    })

    it('gives up after the configured timeout with server_error', async () => {
      answer = () => never()
      const s = await start({ 'oauth2.token_hook': { url: hookUrl('/slow'), timeout: '5ms' } })
      const res = await token(s, { grant_type: 'client_credentials' }, await createClient(s))
      expect(await errorOf(res)).toMatchObject({ status: 500, error: 'server_error' })
      expect(s.logs.find((l) => l.plugin === 'oauth2.token_hook')?.error).toBe('timed out after 5ms')
    })

    it('sends the API key as a header or as a cookie', async () => {
      answer = () => new Response(null, { status: 204 })
      for (const [where, check] of [
        ['header', (h: Headers) => h.get('x-hook-key')],
        ['cookie', (h: Headers) => h.get('cookie')],
      ] as const) {
        const auth = { type: 'api_key', config: { in: where, name: 'x-hook-key', value: 'sesame' } }
        const s = await start({ 'oauth2.token_hook': { url: hookUrl('/token'), auth } })
        received.length = 0
        expect((await token(s, { grant_type: 'client_credentials' }, await createClient(s))).status).toBe(200)
        expect(check(received[0]!.headers)).toBe(where === 'header' ? 'sesame' : 'x-hook-key=sesame')
      }
    })

    it('runs the refresh hook (refresh_token grant only) before the token hook; ID-token claims follow the answers', async () => {
      answer = (path) =>
        path === '/refresh'
          ? json({ session: { access_token: { from: 'refresh' }, id_token: { nick: 'r' } } })
          : json({ session: { access_token: { from: 'token' }, id_token: { nick: 't', sub: 'mallory' } } })
      const s = await start({ 'oauth2.token_hook': hookUrl('/token'), 'oauth2.refresh_token_hook': hookUrl('/refresh') })
      const client = await createMintClient(s)
      received.length = 0
      const tokens = await redeem(s, client, await issueCode(s, client, { session: { id_token_claims: { email: 'a@x' } } }))
      expect(received.map((r) => r.path)).toEqual(['/token'])
      const sent = received[0]!.body
      expect(sent.request.grant_types).toEqual(['authorization_code'])
      expect(sent.request.payload.code).toBeUndefined()
      expect(sent.session.id_token.id_token_claims).toMatchObject({ sub: 'alice', ext: { email: 'a@x', tenant: 'acme' } })
      const id = await verifyJwt(s, tokens.id_token!)
      expect(id.sub).toBe('alice')
      expect(id.nick).toBe('t')
      expect(id.email).toBeUndefined()

      received.length = 0
      const refreshed = await refresh(s, client, tokens.refresh_token!)
      expect(received.map((r) => r.path)).toEqual(['/refresh', '/token'])
      const r = received[0]!.body
      expect(r).toMatchObject({
        subject: 'alice',
        client_id: client.client_id,
        granted_scopes: ['openid', 'offline_access'],
        granted_audience: [],
        requester: { client_id: client.client_id, granted_scopes: ['openid', 'offline_access'], grant_types: ['refresh_token'] },
      })
      expect(received[1]!.body.session.extra).toEqual({ from: 'refresh' })
      expect((await introspect(s, refreshed.access_token)).ext).toEqual({ from: 'token' })
    })
  })
}
