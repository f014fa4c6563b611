import { describe, expect, it } from 'bun:test'
import { demoAuthorizeUrl } from '../../src/dev/demo_client.ts'
import {
  authorizeUrl,
  Browser,
  createCodeClient,
  errorPageOf,
  LOGIN_URL,
  startServer,
  storeFactories,
} from '../_harness.ts'
import { CALLBACK_PAGE, CONSENT_PAGE, formFields, LOGIN_PAGE, LOGOUT_PAGE, post, startDevServer, visit } from './_pages.ts'

const PAGES = [LOGIN_PAGE, CONSENT_PAGE, LOGOUT_PAGE]

for (const factory of storeFactories()) {
  describe(`built-in development pages: refusals (${factory.name})`, () => {
    it('answers 404 outside --dev, and the authorization endpoint keeps its urls.login error page', async () => {
      const s = await startServer(factory)
      const b = new Browser(s)
      for (const page of [...PAGES, CALLBACK_PAGE]) {
        const get = await b.open(`${page}?login_challenge=x&consent_challenge=x&logout_challenge=x`)
        expect(await errorPageOf(get)).toMatchObject({ status: 404, error: 'not_found' })
        expect(get.headers.get('x-frame-options')).toBe('DENY')
      }
      for (const page of PAGES) {
        expect((await b.open(page, { action: 'accept' })).status).toBe(404)
        expect((await b.open(page, 'not a form')).status).toBe(404)
      }
      const client = await createCodeClient(s)
      const res = await b.open(authorizeUrl(client))
      expect(await errorPageOf(res)).toMatchObject({ status: 500, error: 'server_error' })
      expect((await errorPageOf(await b.open(authorizeUrl(client)))).description).toContain('urls.login is not configured')
    })

    it('under --dev, refuses the login page and the demo when urls.login names an app, but still serves consent', async () => {
      const s = await startServer(factory, { dev: true, 'urls.login': LOGIN_URL })
      const b = new Browser(s)
      expect((await b.open(`${LOGIN_PAGE}?login_challenge=x`)).status).toBe(404)
      expect((await b.open(`${CALLBACK_PAGE}?code=x&state=y`)).status).toBe(404)
      const client = await createCodeClient(s)
      const res = await b.open(authorizeUrl(client))
      const login = new URL(res.headers.get('location')!)
      expect(`${login.origin}${login.pathname}`).toBe(LOGIN_URL)
      const { data } = await s.hydra.oauth2.acceptOAuth2LoginRequest({
        loginChallenge: login.searchParams.get('login_challenge')!,
        acceptOAuth2LoginRequest: { subject: 'frank' },
      })
      const consent = await visit(b, data.redirect_to)
      expect(consent.path).toBe('/oauth2/fallbacks/consent')
      expect(consent.html).toContain('<strong>frank</strong>')
    })

    it('refuses a login or consent POST without its page token, or with the token of another challenge', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const login = await visit(b, demoAuthorizeUrl(s.ctx))
      const other = await visit(new Browser(s), demoAuthorizeUrl(s.ctx))
      const fields = formFields(login.html)
      const challenge = fields.login_challenge!
      const forged = [
        { ...fields, csrf_token: undefined },
        { ...fields, csrf_token: 'AAAA' },
        { ...fields, csrf_token: formFields(other.html).csrf_token },
      ]
      for (const form of forged) {
        const body = Object.fromEntries(Object.entries({ ...form, username: 'mallory', action: 'accept' }).filter(([, v]) => v !== undefined))
        const res = await b.open(LOGIN_PAGE, body as Record<string, string>)
        expect(await errorPageOf(res)).toMatchObject({ status: 403, error: 'request_forbidden' })
      }
      expect((await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challenge })).status).toBe(200)

      const consent = await post(b, login, { username: 'alice', action: 'accept' })
      const consentFields = formFields(consent.html)
      const res = await b.open(CONSENT_PAGE, { ...consentFields, csrf_token: fields.csrf_token!, action: 'allow' })
      expect(await errorPageOf(res)).toMatchObject({ status: 403, error: 'request_forbidden' })
      const request = await s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: consentFields.consent_challenge! })
      expect(request.status).toBe(200)
    })

    it('sends a handled challenge on to where it went the first time', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const login = await visit(b, demoAuthorizeUrl(s.ctx))
      const challenge = formFields(login.html).login_challenge!
      const first = await b.open(LOGIN_PAGE, { ...formFields(login.html), username: 'alice', action: 'accept' })
      const again = await b.open(`${LOGIN_PAGE}?login_challenge=${challenge}`)
      expect(again.status).toBe(302)
      expect(again.headers.get('location')).toBe(first.headers.get('location')!)
      const resubmitted = await b.open(LOGIN_PAGE, { ...formFields(login.html), username: 'mallory', action: 'accept' })
      expect(resubmitted.headers.get('location')).toBe(first.headers.get('location')!)
    })

    it('shows a callback without a state of its own, or from another issuer, as an error', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const bad = await b.open(`${CALLBACK_PAGE}?code=abc&state=not-ours&iss=${encodeURIComponent('https://gatehouse.test')}`)
      expect(await errorPageOf(bad)).toMatchObject({ status: 400, error: 'invalid_request' })
      const state = new URL(demoAuthorizeUrl(s.ctx)).searchParams.get('state')!
      const mixUp = await b.open(`${CALLBACK_PAGE}?code=abc&state=${state}&iss=${encodeURIComponent('https://evil.test')}`)
      expect((await errorPageOf(mixUp)).description).toContain('iss')
      const denied = await b.open(`${CALLBACK_PAGE}?error=access_denied&error_description=${encodeURIComponent('<b>no</b>')}`)
      expect(denied.status).toBe(400)
      expect(await denied.text()).toContain('&lt;b&gt;no&lt;/b&gt;')
    })
  })
}
