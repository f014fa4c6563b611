import { describe, expect, it } from 'bun:test'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { DEMO_CLIENT_ID, demoAuthorizeUrl } from '../../src/dev/demo_client.ts'
import {
  authorizeUrl,
  Browser,
  createCodeClient,
  errorPageOf,
  introspect,
  ISSUER,
  SECURE,
  securityHeadersOf,
  storeFactories,
  type TestServer,
} from '../_harness.ts'
import { formFields, LOGIN_PAGE, post, startDevServer, textOf, visit, type Landing } from './_pages.ts'

async function verifyIdToken(s: TestServer, idToken: string) {
  const jwks = (await (await s.publicFetch('http://localhost/.well-known/jwks.json')).json()) as JSONWebKeySet
  const options = { issuer: ISSUER, audience: DEMO_CLIENT_ID, currentDate: new Date(s.clock()) }
  return (await jwtVerify(idToken, createLocalJWKSet(jwks), options)).payload
}

const nonceOf = (url: string) => new URL(url).searchParams.get('nonce')

/** From the demo's authorize URL through the login page (signing in as `username`) to the consent page. */
async function toConsent(s: TestServer, b: Browser, username = 'alice', login: Record<string, string> = {}): Promise<Landing> {
  const page = await visit(b, demoAuthorizeUrl(s.ctx))
  expect(page.path).toBe('/oauth2/fallbacks/login')
  return post(b, page, { username, action: 'accept', ...login })
}

for (const factory of storeFactories()) {
  describe(`built-in development pages (${factory.name})`, () => {
    it('signs in any user name, lists the scopes and client, and ends with verified tokens at the demo callback', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const url = demoAuthorizeUrl(s.ctx)
      const login = await visit(b, url)
      expect(login.res.status).toBe(200)
      expect(login.html).toContain('Gatehouse demo')
      const consent = await post(b, login, { username: '  bob smith ', action: 'accept' })
      expect(consent.path).toBe('/oauth2/fallbacks/consent')
      expect(consent.html).toContain('<strong>bob smith</strong>')
      expect(consent.html).toContain(DEMO_CLIENT_ID)
      for (const scope of ['openid', 'offline_access', 'profile']) expect(consent.html).toContain(`value="${scope}" checked`)

      const done = await post(b, consent, { action: 'allow' })
      expect(done.path).toBe('/oauth2/fallbacks/callback')
      expect(done.res.status).toBe(200)
      expect(textOf(done.html, 'scope')).toBe('openid offline_access profile')
      expect(textOf(done.html, 'refresh_token')).toStartWith('ory_rt_')
      const claims = await verifyIdToken(s, textOf(done.html, 'id_token')!)
      expect(claims).toMatchObject({ iss: ISSUER, sub: 'bob smith', aud: [DEMO_CLIENT_ID] })
      expect(claims.nonce).toBe(nonceOf(url)!)
      const access = await introspect(s, textOf(done.html, 'access_token')!)
      expect(access).toMatchObject({ active: true, sub: 'bob smith', client_id: DEMO_CLIENT_ID })
    })

    it('grants only the boxes left checked, never a scope the request did not ask for', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const consent = await toConsent(s, b)
      const done = await post(b, consent, { action: 'allow', 'grant_scope.1': null, 'grant_scope.2': 'email', 'grant_scope.9': 'email' })
      expect(textOf(done.html, 'scope')).toBe('openid')
      expect(textOf(done.html, 'refresh_token')).toBeUndefined()
    })

    it('sends access_denied to the client on Cancel at login and on Deny at consent', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const login = await visit(b, demoAuthorizeUrl(s.ctx))
      const back = await post(b, login, { action: 'reject', username: null })
      expect(back.path).toBe('/oauth2/fallbacks/callback')
      expect(new URL(back.url).searchParams.get('error')).toBe('access_denied')
      expect(back.res.status).toBe(400)

      const b2 = new Browser(s)
      const denied = await post(b2, await toConsent(s, b2), { action: 'deny' })
      expect(denied.path).toBe('/oauth2/fallbacks/callback')
      expect(new URL(denied.url).searchParams.get('error')).toBe('access_denied')
    })

    it('asks again for an empty user name and keeps the challenge open', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const login = await visit(b, demoAuthorizeUrl(s.ctx))
      const again = await post(b, login, { username: '   ', action: 'accept' })
      expect(again.res.status).toBe(400)
      expect(again.path).toBe('/oauth2/fallbacks/login')
      expect(again.html).toContain('Enter a user name.')
      const consent = await post(b, again, { username: 'carol', action: 'accept' })
      expect(consent.path).toBe('/oauth2/fallbacks/consent')
    })

    it('skips the login page for a remembered session and the consent page for a remembered decision', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const consent = await toConsent(s, b, 'dave', { remember: '1' })
      await post(b, consent, { action: 'allow', remember: '1' })

      const second = await visit(b, demoAuthorizeUrl(s.ctx))
      expect(second.path).toBe('/oauth2/fallbacks/callback')
      expect(second.res.status).toBe(200)
      expect((await verifyIdToken(s, textOf(second.html, 'id_token')!)).sub).toBe('dave')
    })

    it('uses the built-in pages for any client, and escapes what it shows', async () => {
      const s = await startDevServer(factory)
      const client = await createCodeClient(s, { client_name: '<script>alert(1)</script>' })
      const b = new Browser(s)
      const login = await visit(b, authorizeUrl(client, { scope: 'openid', audience: undefined }))
      expect(login.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      expect(login.html).not.toContain('<script>')
      const consent = await post(b, login, { username: '"><img src=x onerror=alert(1)>', action: 'accept' })
      expect(consent.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;')
      expect(consent.html).not.toContain('<img')
      expect(consent.html).not.toContain('<script>')
      const done = await post(b, consent, { action: 'allow' })
      const target = new URL(done.res.headers.get('location')!)
      expect(`${target.origin}${target.pathname}`).toBe('https://client.test/cb')
      expect(target.searchParams.get('code')).toBeTruthy()
    })

    it('lists the requested audience as boxes and grants the ones left checked', async () => {
      const s = await startDevServer(factory)
      const client = await createCodeClient(s, { audience: ['https://api.test', 'https://other.test'] })
      const b = new Browser(s)
      const login = await visit(b, authorizeUrl(client, { audience: 'https://api.test https://other.test' }))
      const consent = await post(b, login, { username: 'judy', action: 'accept' })
      expect(consent.html).toContain('Requested audience')
      expect(consent.html).toContain('value="https://api.test" checked')
      await post(b, consent, { action: 'allow', 'grant_audience.1': null })
      const { data } = await s.hydra.oauth2.listOAuth2ConsentSessions({ subject: 'judy' })
      expect(data.map((c) => c.grant_access_token_audience)).toEqual([['https://api.test']])
    })

    it('serves its pages with the security headers, allowing only their own inline style', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const login = await visit(b, demoAuthorizeUrl(s.ctx))
      expect(securityHeadersOf(login.res)).toEqual(SECURE)
      const csp = login.res.headers.get('content-security-policy')!
      expect(csp).toContain("default-src 'none'")
      expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'$/)
      const redirect = await b.open(LOGIN_PAGE, { ...formFields(login.html), username: 'erin', action: 'accept' })
      expect(redirect.status).toBe(302)
      expect(securityHeadersOf(redirect)).toEqual(SECURE)
    })

    it('shows an unknown or tampered challenge as an error page', async () => {
      const s = await startDevServer(factory)
      const res = await new Browser(s).open(`${LOGIN_PAGE}?login_challenge=not-a-challenge`)
      expect(await errorPageOf(res)).toMatchObject({ status: 404, error: 'not_found' })
      const twice = await new Browser(s).open(`${LOGIN_PAGE}?login_challenge=a&challenge=b&login_challenge=c`)
      expect(twice.status).toBe(400)
    })
  })
}
