import { describe, expect, it } from 'bun:test'
import {
  authorizeUrl,
  Browser,
  createCodeClient,
  errorPageOf,
  local,
  locationOf,
  LOGIN_URL,
  REDIRECT_URI,
  SECURE,
  securityHeadersOf,
  startFlowServer,
  storeFactories,
} from '../_harness.ts'

for (const factory of storeFactories()) {
  describe(`authorization endpoint before the redirect URI is trusted (${factory.name})`, () => {
    it('shows an unknown client_id on the error page, never redirecting to the given redirect URI', async () => {
      const s = await startFlowServer(factory)
      const res = await new Browser(s).open(authorizeUrl({ client_id: 'no-such-client' }))
      expect(res.headers.get('location')).toBeNull()
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(securityHeadersOf(res)).toEqual(SECURE)
      expect(await errorPageOf(res)).toEqual({
        status: 400,
        error: 'invalid_client',
        description: expect.stringContaining('The requested OAuth 2.0 Client does not exist.'),
      })
    })

    it('shows a missing client_id as invalid_request', async () => {
      const s = await startFlowServer(factory)
      const res = await new Browser(s).open(`${local('https://gatehouse.test')}/oauth2/auth?response_type=code&state=state-0123456789`)
      expect(await errorPageOf(res)).toMatchObject({ status: 400, error: 'invalid_request' })
    })

    const mismatches: [label: string, requested: string][] = [
      ['another host', 'https://evil.test/cb'],
      ['a trailing slash', `${REDIRECT_URI}/`],
      ['an extra query', `${REDIRECT_URI}?next=1`],
      ['a fragment', `${REDIRECT_URI}#frag`],
      ['another port', 'https://client.test:8443/cb'],
      ['an empty value', ''],
    ]
    for (const [label, requested] of mismatches) {
      it(`refuses a redirect_uri with ${label} on the error page`, async () => {
        const s = await startFlowServer(factory)
        const client = await createCodeClient(s)
        const res = await new Browser(s).open(authorizeUrl(client, { redirect_uri: requested }))
        expect(res.headers.get('location')).toBeNull()
        expect(await errorPageOf(res)).toMatchObject({ status: 400, error: 'invalid_request' })
      })
    }

    it('ignores the port only for http loopback IP literals', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s, {
        redirect_uris: ['http://127.0.0.1/cb', 'http://[::1]/cb', 'http://localhost/cb'],
        token_endpoint_auth_method: 'none',
      })
      const pkce = { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }
      for (const ok of ['http://127.0.0.1:53682/cb', 'http://[::1]:9000/cb']) {
        const res = await new Browser(s).open(authorizeUrl(client, { redirect_uri: ok, ...pkce }))
        expect(`${locationOf(res).origin}${locationOf(res).pathname}`).toBe(LOGIN_URL)
      }
      const res = await new Browser(s).open(authorizeUrl(client, { redirect_uri: 'http://localhost:53682/cb', ...pkce }))
      expect(await errorPageOf(res)).toMatchObject({ status: 400, error: 'invalid_request' })
    })

    it('uses the only registered redirect URI when none is sent, and refuses when several are registered', async () => {
      const s = await startFlowServer(factory)
      const one = await createCodeClient(s, { scope: 'profile' })
      const res = await new Browser(s).open(authorizeUrl(one, { redirect_uri: undefined, scope: 'profile' }))
      expect(locationOf(res).href).toStartWith(`${LOGIN_URL}?login_challenge=`)
      const two = await createCodeClient(s, { scope: 'profile', redirect_uris: [REDIRECT_URI, 'https://client.test/other'] })
      const refused = await new Browser(s).open(authorizeUrl(two, { redirect_uri: undefined, scope: 'profile' }))
      expect(await errorPageOf(refused)).toMatchObject({ status: 400, error: 'invalid_request' })
    })

    it('refuses duplicate parameters on the error page, in the query and in a POSTed form', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const res = await b.open(`${authorizeUrl(client)}&state=another-0123456789`)
      expect(res.headers.get('location')).toBeNull()
      expect(await errorPageOf(res)).toMatchObject({ status: 400, error: 'invalid_request', description: expect.stringContaining('"state"') })
      const form = `${new URL(authorizeUrl(client)).searchParams}&client_id=${client.client_id}`
      const posted = await b.open('https://gatehouse.test/oauth2/auth', form)
      expect(await errorPageOf(posted)).toMatchObject({ status: 400, error: 'invalid_request', description: expect.stringContaining('"client_id"') })
    })

    it('refuses a POST that is not form-encoded on the error page', async () => {
      const s = await startFlowServer(factory)
      const res = await s.publicFetch('http://localhost/oauth2/auth', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      expect(await errorPageOf(res)).toMatchObject({ status: 400, error: 'invalid_request' })
      expect(securityHeadersOf(res)).toEqual(SECURE)
    })

    it('sends errors to urls.error when it is configured', async () => {
      const s = await startFlowServer(factory, { 'urls.error': 'https://login.test/error?lang=en' })
      const res = await new Browser(s).open(authorizeUrl({ client_id: 'no-such-client' }))
      expect(res.status).toBe(302)
      expect(securityHeadersOf(res)).toEqual(SECURE)
      const to = locationOf(res)
      expect(`${to.origin}${to.pathname}`).toBe('https://login.test/error')
      expect(to.searchParams.get('lang')).toBe('en')
      expect(to.searchParams.get('error')).toBe('invalid_client')
      expect(to.searchParams.get('error_description')).toContain('does not exist')
    })

    it('renders the fallback error page escaped, with security headers', async () => {
      const s = await startFlowServer(factory)
      const q = new URLSearchParams({ error: '<b>bad</b>', error_description: '"><script>alert(1)</script>' })
      const res = await s.publicFetch(`http://localhost/oauth2/fallbacks/error?${q}`)
      expect(res.status).toBe(400)
      expect(securityHeadersOf(res)).toEqual(SECURE)
      const html = await res.text()
      expect(html).not.toContain('<script>')
      expect(html).not.toContain('<b>')
      expect(html).toContain('&lt;b&gt;bad&lt;/b&gt;')
      expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
    })
  })
}
