import { describe, expect, it } from 'bun:test'
import { loadConfig, ConfigError } from '../../src/config/load.ts'
import { originMatches } from '../../src/http/cors.ts'
import {
  basic,
  createClient,
  createMintClient,
  issueCode,
  memoryLogger,
  postForm,
  redeem,
  REVOKE_URL,
  startServer,
  storeFactories,
  TOKEN_URL,
  type TestServer,
} from '../_harness.ts'

const APP = 'https://app.example.com'
const SPA = 'https://spa.client-a.test'
const EVIL = 'https://evil.test'

const ON = {
  'serve.public.cors.enabled': true,
  'serve.public.cors.allowed_origins': [APP, 'https://*.example.org'],
}

type Fetch = typeof fetch

function preflight(f: Fetch, path: string, origin: string | null, method = 'POST', headers = 'authorization, content-type'): Promise<Response> {
  return f(`http://localhost${path}`, {
    method: 'OPTIONS',
    headers: {
      ...(origin ? { origin } : {}),
      'access-control-request-method': method,
      ...(headers ? { 'access-control-request-headers': headers } : {}),
    },
  })
}

/** The Access-Control-* and Vary headers of a response. */
function corsHeaders(res: Response): Record<string, string> {
  return Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'))
}

const get = (f: Fetch, path: string, origin?: string, headers: Record<string, string> = {}) =>
  f(`http://localhost${path}`, { headers: { ...(origin ? { origin } : {}), ...headers } })

const ALLOWED_ACTUAL = (origin: string) => ({
  vary: 'Origin',
  'access-control-allow-origin': origin,
  'access-control-allow-credentials': 'true',
  'access-control-expose-headers': 'Cache-Control, Expires, Last-Modified, Pragma, Content-Length, Content-Language, Content-Type',
})

async function clientCredentials(s: TestServer, client: { client_id: string; client_secret: string }, origin: string, post = false) {
  const form = { grant_type: 'client_credentials', ...(post ? { client_id: client.client_id, client_secret: client.client_secret } : {}) }
  return postForm(s.publicFetch, TOKEN_URL, form, { origin, ...(post ? {} : { authorization: basic(client.client_id, client.client_secret) }) })
}

describe('origin patterns', () => {
  it('match exact origins, *, scheme://* and one wildcard bounded by two domain labels, case-insensitively', () => {
    const cases: [string, string, boolean][] = [
      ['https://app.example.com', 'https://app.example.com', true],
      ['https://App.Example.com', 'https://app.example.COM', true],
      ['https://app.example.com', 'https://app.example.com:8443', false],
      ['https://app.example.com', 'http://app.example.com', false],
      ['*', 'https://anything.test', true],
      ['https://*', 'https://anything.test', true],
      ['https://*', 'http://anything.test', false],
      ['https://*.example.org', 'https://a.example.org', true],
      ['https://*.example.org', 'https://a.b.example.org', true],
      ['https://*.example.org', 'https://example.org', false],
      ['https://*.example.org', 'https://evilexample.org', false],
      ['https://*.example.org', 'http://a.example.org', false],
      ['https://*.example.org:8443', 'https://a.example.org:8443', true],
      ['https://*.example.org:8443', 'https://a.example.org', false],
      ['https://*foo.example.org', 'https://barfoo.example.org', true],
      // Unbounded wildcards are ignored, as Hydra does: they would match hosts anyone can register.
      ['https://*.com', 'https://evil.com', false],
      ['https://*foo.com', 'https://evilfoo.com', false],
      ['https://www.example.*', 'https://www.example.com', false],
    ]
    for (const [pattern, origin, expected] of cases) expect({ pattern, origin, matches: originMatches(pattern, origin) }).toEqual({ pattern, origin, matches: expected })
  })

  it('are read from the environment as lists, and more than one * in an origin is refused', () => {
    const config = loadConfig({
      env: { SERVE_PUBLIC_CORS_ENABLED: 'true', SERVE_PUBLIC_CORS_ALLOWED_ORIGINS: `${APP}, https://*.example.org`, SERVE_ADMIN_CORS_MAX_AGE: '60' },
      overrides: { 'urls.self.issuer': 'https://gatehouse.test', 'secrets.system': ['a-secret-of-16-chars'] },
    })
    expect(config.serve.public.cors).toEqual({
      enabled: true,
      allowed_origins: [APP, 'https://*.example.org'],
      allowed_methods: ['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'HEAD', 'OPTIONS', 'TRACE'],
      allowed_headers: ['Accept', 'Content-Type', 'Content-Length', 'Accept-Language', 'Content-Language', 'Authorization'],
      exposed_headers: ['Cache-Control', 'Expires', 'Last-Modified', 'Pragma', 'Content-Length', 'Content-Language', 'Content-Type'],
      allow_credentials: true,
      max_age: 0,
      debug: false,
    })
    expect(config.serve.admin.cors.enabled).toBe(false)
    expect(config.serve.admin.cors.max_age).toBe(60)
    const refused = () => loadConfig({ overrides: { dev: true, 'serve.public.cors.allowed_origins': ['https://*.*.example.org'] } })
    expect(refused).toThrow(ConfigError)
    expect(() => loadConfig({ overrides: { dev: true, 'serve.public.cors.allowed_methods': ['FETCH'] } })).toThrow(ConfigError)
  })
})

for (const factory of storeFactories()) {
  describe(`CORS (${factory.name})`, () => {
    it('is off by default: no Access-Control-* headers and no Vary; OPTIONS on Hydra’s CORS routes is an empty 200', async () => {
      const s = await startServer(factory)
      for (const res of [
        await get(s.publicFetch, '/.well-known/openid-configuration', APP),
        await get(s.publicFetch, '/health/alive', APP),
        await get(s.adminFetch, '/admin/clients', APP),
        await preflight(s.adminFetch, '/admin/clients', APP),
      ]) {
        expect(corsHeaders(res)).toEqual({})
      }
      for (const path of ['/oauth2/token', '/oauth2/revoke', '/userinfo', '/credentials', '/.well-known/jwks.json']) {
        const res = await preflight(s.publicFetch, path, APP)
        expect({ path, status: res.status, body: await res.text(), cors: corsHeaders(res) }).toEqual({ path, status: 200, body: '', cors: {} })
      }
    })

    it('answers preflights on every path with 204, with Access-Control-* headers for allowed origins only', async () => {
      const s = await startServer(factory, { ...ON, 'serve.public.cors.max_age': 600 })
      for (const path of ['/oauth2/auth', '/health/alive', '/no/such/path']) {
        for (const origin of [APP, 'https://a.example.org', 'https://a.b.example.org']) {
          const res = await preflight(s.publicFetch, path, origin)
          expect({ path, status: res.status, cors: corsHeaders(res) }).toEqual({
            path,
            status: 204,
            cors: {
              vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
              'access-control-allow-origin': origin,
              'access-control-allow-methods': 'POST',
              'access-control-allow-headers': 'authorization, content-type',
              'access-control-allow-credentials': 'true',
              'access-control-max-age': '600',
            },
          })
        }
        for (const origin of [EVIL, 'https://example.org', 'http://a.example.org', null]) {
          const res = await preflight(s.publicFetch, path, origin)
          expect({ path, origin, status: res.status, cors: corsHeaders(res) }).toEqual({
            path,
            origin,
            status: 204,
            cors: { vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' },
          })
        }
      }
    })

    it('adds the headers to actual requests from allowed origins, and Vary: Origin to every answer', async () => {
      const s = await startServer(factory, ON)
      expect(corsHeaders(await get(s.publicFetch, '/health/alive', APP))).toEqual(ALLOWED_ACTUAL(APP))
      expect(corsHeaders(await get(s.publicFetch, '/no/such/path', 'https://x.example.org'))).toEqual(ALLOWED_ACTUAL('https://x.example.org'))
      expect(corsHeaders(await get(s.publicFetch, '/health/alive', EVIL))).toEqual({ vary: 'Origin' })
      expect(corsHeaders(await get(s.publicFetch, '/health/alive'))).toEqual({ vary: 'Origin' })
      // Not a preflight (no Access-Control-Request-Method): Hydra's routes answer OPTIONS with an empty 200.
      const options = await s.publicFetch('http://localhost/oauth2/token', { method: 'OPTIONS', headers: { origin: APP } })
      expect({ status: options.status, cors: corsHeaders(options) }).toEqual({ status: 200, cors: ALLOWED_ACTUAL(APP) })
    })

    it('honours allowed_methods, allowed_headers, allow_credentials, exposed_headers and max_age', async () => {
      const s = await startServer(factory, {
        ...ON,
        'serve.public.cors.allowed_methods': ['GET', 'POST'],
        'serve.public.cors.allowed_headers': ['Authorization', 'X-Requested-With'],
        'serve.public.cors.exposed_headers': ['X-Request-Id'],
        'serve.public.cors.allow_credentials': false,
      })
      const ok = await preflight(s.publicFetch, '/oauth2/auth', APP, 'GET', 'x-requested-with,Authorization')
      expect(corsHeaders(ok)).toEqual({
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
        'access-control-allow-origin': APP,
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': 'x-requested-with,Authorization',
      })
      for (const [method, headers] of [['PUT', ''], ['GET', 'content-type'], ['POST', 'authorization, x-other']]) {
        const res = await preflight(s.publicFetch, '/oauth2/auth', APP, method, headers)
        expect({ method, headers, cors: corsHeaders(res) }).toEqual({ method, headers, cors: { vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' } })
      }
      expect(corsHeaders(await get(s.publicFetch, '/health/alive', APP))).toEqual({
        vary: 'Origin',
        'access-control-allow-origin': APP,
        'access-control-expose-headers': 'X-Request-Id',
      })
      const put = await s.publicFetch('http://localhost/health/alive', { method: 'PUT', headers: { origin: APP } })
      expect(corsHeaders(put)).toEqual({ vary: 'Origin' })

      const any = await startServer(factory, { ...ON, 'serve.public.cors.allowed_headers': ['*'] })
      expect(corsHeaders(await preflight(any.publicFetch, '/oauth2/auth', APP, 'POST', 'x-anything'))['access-control-allow-headers']).toBe('x-anything')
    })

    it('allows every origin with * or an empty list, as Hydra does, and ignores unbounded wildcards', async () => {
      for (const origins of [['*'], []]) {
        const s = await startServer(factory, { 'serve.public.cors.enabled': true, 'serve.public.cors.allowed_origins': origins })
        expect(corsHeaders(await get(s.publicFetch, '/health/alive', EVIL))['access-control-allow-origin']).toBe(EVIL)
      }
      const { logger, entries } = memoryLogger('warn')
      const s = await startServer(factory, { 'serve.public.cors.enabled': true, 'serve.public.cors.allowed_origins': ['https://*.com'] }, { logger })
      expect(corsHeaders(await get(s.publicFetch, '/health/alive', 'https://evil.com'))).toEqual({ vary: 'Origin' })
      expect(entries).toContainEqual(expect.objectContaining({ level: 'warn', pattern: 'https://*.com' }))
    })

    it('allows a client’s allowed_cors_origins on the token endpoint for that client only, by Basic credentials or client_id', async () => {
      const s = await startServer(factory, ON)
      const a = await createClient(s, { allowed_cors_origins: [SPA] })
      const b = await createClient(s, { allowed_cors_origins: [] })
      const post = await createClient(s, { allowed_cors_origins: [SPA], token_endpoint_auth_method: 'client_secret_post' })
      const allowedA = await clientCredentials(s, a, SPA)
      expect({ status: allowedA.status, cors: corsHeaders(allowedA) }).toEqual({ status: 200, cors: ALLOWED_ACTUAL(SPA) })
      const allowedPost = await clientCredentials(s, post, SPA, true)
      expect({ status: allowedPost.status, cors: corsHeaders(allowedPost) }).toEqual({ status: 200, cors: ALLOWED_ACTUAL(SPA) })
      const refusedB = await clientCredentials(s, b, SPA)
      expect({ status: refusedB.status, cors: corsHeaders(refusedB) }).toEqual({ status: 200, cors: { vary: 'Origin' } })
      // The client's origins do not reach other origins or other routes.
      expect(corsHeaders(await clientCredentials(s, a, EVIL))).toEqual({ vary: 'Origin' })
      expect(corsHeaders(await get(s.publicFetch, '/health/alive', SPA, { authorization: basic(a.client_id, a.client_secret) }))).toEqual({ vary: 'Origin' })
      // Errors are readable too: a wrong secret for client a.
      const wrong = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials' }, { origin: SPA, authorization: basic(a.client_id, 'wrong') })
      expect({ status: wrong.status, origin: wrong.headers.get('access-control-allow-origin') }).toEqual({ status: 401, origin: SPA })
      // Preflights carry no credentials: the per-client routes accept them from any origin, other routes do not.
      expect(corsHeaders(await preflight(s.publicFetch, '/oauth2/token', SPA))['access-control-allow-origin']).toBe(SPA)
      expect(corsHeaders(await preflight(s.publicFetch, '/oauth2/auth', SPA))).not.toHaveProperty('access-control-allow-origin')
    })

    it('allows a client’s origins on revocation, and on userinfo and credentials for its Bearer access tokens', async () => {
      const s = await startServer(factory, ON)
      const client = await createMintClient(s, { allowed_cors_origins: ['https://*.client-a.test'] })
      const other = await createMintClient(s)
      const tokens = await redeem(s, client, await issueCode(s, client))
      const otherTokens = await redeem(s, other, await issueCode(s, other))
      const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
      expect(corsHeaders(await get(s.publicFetch, '/userinfo', SPA, bearer(tokens.access_token)))).toEqual(ALLOWED_ACTUAL(SPA))
      expect(corsHeaders(await get(s.publicFetch, '/userinfo', SPA, bearer(otherTokens.access_token)))).toEqual({ vary: 'Origin' })
      expect(corsHeaders(await get(s.publicFetch, '/userinfo', SPA, bearer('ory_at_unknown.token')))).toEqual({ vary: 'Origin' })
      const credentials = await s.publicFetch('http://localhost/credentials', {
        method: 'POST',
        headers: { origin: SPA, 'content-type': 'application/json', ...bearer(tokens.access_token) },
        body: '{}',
      })
      expect(corsHeaders(credentials)).toEqual(ALLOWED_ACTUAL(SPA))
      const revoked = await postForm(s.publicFetch, REVOKE_URL, { token: tokens.access_token }, { origin: SPA, authorization: basic(client.client_id, client.client_secret) })
      expect({ status: revoked.status, cors: corsHeaders(revoked) }).toEqual({ status: 200, cors: ALLOWED_ACTUAL(SPA) })
      // Revoked, the token names no client any more.
      expect(corsHeaders(await get(s.publicFetch, '/userinfo', SPA, bearer(tokens.access_token)))).toEqual({ vary: 'Origin' })
    })

    it('allows a client’s origins on its registration management path', async () => {
      const s = await startServer(factory, ON)
      const client = await createClient(s, { allowed_cors_origins: [SPA] })
      const res = await get(s.publicFetch, `/oauth2/register/${encodeURIComponent(client.client_id)}`, SPA)
      expect(res.headers.get('access-control-allow-origin')).toBe(SPA)
      expect(corsHeaders(await get(s.publicFetch, '/oauth2/register/someone-else', SPA))).toEqual({ vary: 'Origin' })
    })

    it('makes discovery and the JWKS readable from any origin', async () => {
      const s = await startServer(factory, ON)
      for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/jwks.json']) {
        const res = await get(s.publicFetch, path, EVIL)
        expect({ path, status: res.status, cors: corsHeaders(res) }).toEqual({ path, status: 200, cors: ALLOWED_ACTUAL(EVIL) })
      }
    })

    it('configures the admin API on its own, without per-client origins', async () => {
      const s = await startServer(factory, { ...ON, 'serve.admin.cors.enabled': true, 'serve.admin.cors.allowed_origins': ['https://ops.example.com'] })
      const admin = await preflight(s.adminFetch, '/clients', 'https://ops.example.com', 'DELETE')
      expect({ status: admin.status, origin: admin.headers.get('access-control-allow-origin') }).toEqual({ status: 204, origin: 'https://ops.example.com' })
      expect(corsHeaders(await preflight(s.adminFetch, '/admin/clients', APP))).not.toHaveProperty('access-control-allow-origin')
      expect(corsHeaders(await get(s.adminFetch, '/admin/clients', 'https://ops.example.com'))).toEqual(ALLOWED_ACTUAL('https://ops.example.com'))
      expect(corsHeaders(await get(s.publicFetch, '/health/alive', 'https://ops.example.com'))).toEqual({ vary: 'Origin' })
    })

    it('logs why an origin got no headers when debug is on, without credentials', async () => {
      const { logger, lines, entries } = memoryLogger('info')
      const s = await startServer(factory, { ...ON, 'serve.public.cors.debug': true }, { logger })
      const client = await createClient(s, { allowed_cors_origins: [] })
      await clientCredentials(s, client, EVIL)
      await preflight(s.publicFetch, '/oauth2/auth', APP, 'POST', 'x-secret-header')
      await get(s.publicFetch, '/health/alive', APP)
      const logged = entries.filter((e) => String(e.msg).startsWith('cors'))
      expect(logged.map(({ method, path, origin, reason }) => ({ method, path, origin, reason }))).toEqual([
        { method: 'POST', path: '/oauth2/token', origin: EVIL, reason: 'origin not allowed' },
        { method: 'OPTIONS', path: '/oauth2/auth', origin: APP, reason: 'headers x-secret-header not allowed' },
      ])
      expect(lines.join('\n')).not.toContain(client.client_secret)
      const quiet = memoryLogger('info')
      const q = await startServer(factory, ON, { logger: quiet.logger })
      await get(q.publicFetch, '/health/alive', EVIL)
      expect(quiet.entries.filter((e) => String(e.msg).startsWith('cors'))).toEqual([])
    })
  })
}
