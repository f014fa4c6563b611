import { describe, expect, it } from 'bun:test'
import { murmur3, parseCookies } from '../../src/http/cookies.ts'
import { acceptLogin, authorizeUrl, Browser, createCodeClient, startFlowServer, storeFactories } from '../_harness.ts'

describe('cookie names', () => {
  it('hashes client ids with murmur3 (x86, 32 bit, seed 0) as Go’s murmur3.Sum32', () => {
    expect(murmur3('')).toBe(0)
    expect(murmur3('a')).toBe(0x3c2569b2)
    expect(murmur3('abc')).toBe(0xb3dd93fa)
    expect(murmur3('hello')).toBe(613153351)
    expect(murmur3('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723)
  })

  it('parses a Cookie header, first duplicate winning', () => {
    expect(parseCookies('a=1; b="2"; a=3; =x; c')).toEqual(new Map([['a', '1'], ['b', '2']]))
    expect(parseCookies(null)).toEqual(new Map())
  })
})

for (const factory of storeFactories()) {
  describe(`cookies of the flow (${factory.name})`, () => {
    it('sets per-client CSRF cookies named as Hydra’s, HttpOnly, Secure, SameSite from config, for ttl.login_consent_request', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s, { client_id: 'hello' })
      const b = new Browser(s)
      const login = await b.open(authorizeUrl(client))
      expect(login.headers.getSetCookie()).toEqual([
        expect.stringMatching(/^ory_hydra_login_csrf_613153351=[A-Za-z0-9_-]+; Path=\/; Max-Age=1800; HttpOnly; Secure; SameSite=None$/),
      ])
      const consent = await acceptLogin(s, b, login, { remember: true })
      const names = consent.headers.getSetCookie().map((c) => c.slice(0, c.indexOf('=')))
      expect(names).toEqual(['ory_hydra_session', 'ory_hydra_consent_csrf_613153351'])
    })

    it('follows the configured names, domain, session path and SameSite', async () => {
      const s = await startFlowServer(factory, {
        'serve.cookies.names.login_csrf': 'gh_login',
        'serve.cookies.names.consent_csrf': 'gh_consent',
        'serve.cookies.names.session': 'gh_session',
        'serve.cookies.domain': 'gatehouse.test',
        'serve.cookies.paths.session': '/oauth2',
        'serve.cookies.same_site_mode': 'Lax',
      })
      const client = await createCodeClient(s, { client_id: 'hello' })
      const b = new Browser(s)
      const login = await b.open(authorizeUrl(client))
      expect(login.headers.getSetCookie()[0]).toMatch(/^gh_login_613153351=[^;]+; Path=\/; Max-Age=1800; Domain=gatehouse.test; HttpOnly; Secure; SameSite=Lax$/)
      const consent = await acceptLogin(s, b, login, { remember: true, remember_for: 60 })
      const [session, csrf] = consent.headers.getSetCookie()
      expect(session).toMatch(/^gh_session=[^;]+; Path=\/oauth2; Max-Age=60; Domain=gatehouse.test; HttpOnly; Secure; SameSite=Lax$/)
      expect(csrf).toStartWith('gh_consent_613153351=')
    })

    it('adds _dev and drops Secure under --dev, where SameSite=None falls back to Lax', async () => {
      const s = await startFlowServer(factory, { dev: true, 'urls.self.issuer': 'http://localhost:4444' })
      const client = await createCodeClient(s, { client_id: 'hello' })
      const b = new Browser(s)
      const url = authorizeUrl(client).replace('https://gatehouse.test', 'http://localhost:4444')
      const login = await s.publicFetch(url.replace('http://localhost:4444', 'http://localhost'), { redirect: 'manual' })
      expect(login.headers.getSetCookie()).toEqual([
        expect.stringMatching(/^ory_hydra_login_csrf_dev_613153351=[^;]+; Path=\/; Max-Age=1800; HttpOnly; SameSite=Lax$/),
      ])
      b.store(login)
      const { data } = await s.hydra.oauth2.acceptOAuth2LoginRequest({
        loginChallenge: new URL(login.headers.get('location')!).searchParams.get('login_challenge')!,
        acceptOAuth2LoginRequest: { subject: 'alice', remember: true },
      })
      const back = await b.open(data.redirect_to.replace('http://localhost:4444', 'http://localhost'))
      expect(back.headers.getSetCookie()[0]).toMatch(/^ory_hydra_session_dev=[^;]+; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax$/)
    })
  })
}
