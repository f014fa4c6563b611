import { describe, expect, it } from 'bun:test'
import { createHash } from 'node:crypto'
import * as oauth from 'oauth4webapi'
import {
  acceptConsent,
  acceptLogin,
  AS,
  authorizeUrl,
  Browser,
  createCodeClient,
  ISSUER,
  locationOf,
  runFlow,
  SECURE,
  securityHeadersOf,
  startFlowServer,
  storeFactories,
} from '../../_harness.ts'

for (const factory of storeFactories()) {
  describe(`authorization response modes (${factory.name})`, () => {
    it('answers in the query by default, keeping the redirect URI’s own query, with state and iss', async () => {
      const s = await startFlowServer(factory)
      const redirect = 'https://client.test/cb?tenant=a%20b'
      const client = await createCodeClient(s, { redirect_uris: [redirect] })
      const res = await runFlow(s, new Browser(s), authorizeUrl(client, { redirect_uri: redirect }))
      expect(securityHeadersOf(res)).toEqual(SECURE)
      const to = locationOf(res)
      expect(`${to.origin}${to.pathname}`).toBe('https://client.test/cb')
      expect(to.searchParams.get('tenant')).toBe('a b')
      expect(to.searchParams.get('code')).toMatch(/^ory_ac_/)
      expect(to.searchParams.get('state')).toBe('state-0123456789')
      expect(to.searchParams.get('iss')).toBe(ISSUER)
      expect(to.hash).toBe('')
      const params = oauth.validateAuthResponse(AS, { client_id: client.client_id }, to, 'state-0123456789')
      expect(params.get('code')).toBe(to.searchParams.get('code'))
    })

    it('answers in the fragment for response_mode=fragment', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const to = locationOf(await runFlow(s, new Browser(s), authorizeUrl(client, { response_mode: 'fragment' })))
      expect(to.search).toBe('')
      const fragment = new URLSearchParams(to.hash.slice(1))
      expect(fragment.get('code')).toMatch(/^ory_ac_/)
      expect(fragment.get('state')).toBe('state-0123456789')
      expect(fragment.get('iss')).toBe(ISSUER)
    })

    it('answers form_post with an auto-submitting page whose only script is allowed by hash, values escaped', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const state = '"><script>alert(1)</script>&'
      const res = await runFlow(s, new Browser(s), authorizeUrl(client, { response_mode: 'form_post', state }))
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(securityHeadersOf(res)).toEqual(SECURE)
      const html = await res.text()
      const scripts = [...html.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1]!)
      expect(scripts).toHaveLength(1)
      const hash = createHash('sha256').update(scripts[0]!).digest('base64')
      const csp = res.headers.get('content-security-policy')!
      expect(csp).toContain(`script-src 'sha256-${hash}'`)
      expect(csp).toContain("default-src 'none'")
      expect(html).toContain('<form method="post" action="https://client.test/cb">')
      expect(html).toContain('name="state" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;"')
      expect(html).toMatch(/name="code" value="ory_ac_[A-Za-z0-9_.-]+"/)
      expect(html).toContain(`name="iss" value="${ISSUER}"`)
    })

    it('accepts the authorization request as a POSTed form', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const form = Object.fromEntries(new URL(authorizeUrl(client)).searchParams)
      const login = await b.open(`${ISSUER}/oauth2/auth`, form)
      const consent = await acceptLogin(s, b, login)
      const done = await acceptConsent(s, b, consent)
      expect(locationOf(done).searchParams.get('code')).toMatch(/^ory_ac_/)
      expect(locationOf(done).searchParams.get('iss')).toBe(ISSUER)
    })

    it('puts security headers on every redirect of the flow', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const b = new Browser(s)
      const login = await b.open(authorizeUrl(client))
      const consent = await acceptLogin(s, b, login)
      const done = await acceptConsent(s, b, consent)
      for (const res of [login, consent, done]) expect(securityHeadersOf(res)).toEqual(SECURE)
    })
  })
}
