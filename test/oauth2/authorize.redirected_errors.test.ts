import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import {
  AS,
  authorizeUrl,
  Browser,
  createCodeClient,
  errorPageOf,
  ISSUER,
  locationOf,
  LOGIN_URL,
  REDIRECT_URI,
  responseParams,
  SECURE,
  securityHeadersOf,
  startFlowServer,
  storeFactories,
} from '../_harness.ts'

const S256 = { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }

for (const factory of storeFactories()) {
  describe(`authorization endpoint errors sent to the client (${factory.name})`, () => {
    const cases: [label: string, params: Record<string, string | undefined>, error: string][] = [
      ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
      ['response_type=code id_token', { response_type: 'code id_token' }, 'unsupported_response_type'],
      ['no response_type', { response_type: undefined }, 'invalid_request'],
      ['a 7-character state', { state: '1234567' }, 'invalid_state'],
      ['code_challenge_method=plain', { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }, 'invalid_request'],
      ['a code_challenge without method (plain)', { code_challenge: S256.code_challenge }, 'invalid_request'],
      ['an unknown code_challenge_method', { ...S256, code_challenge_method: 'S512' }, 'invalid_request'],
      ['a malformed S256 code_challenge', { ...S256, code_challenge: 'short' }, 'invalid_request'],
      ['code_challenge_method without code_challenge', { code_challenge_method: 'S256' }, 'invalid_request'],
      ['a scope the client may not request', { scope: 'openid admin' }, 'invalid_scope'],
      ['a malformed scope', { scope: 'openid "quoted"' }, 'invalid_scope'],
      ['an audience the client may not request', { audience: 'https://api.other.test' }, 'invalid_request'],
      ['a 7-character nonce', { nonce: '1234567' }, 'invalid_request'],
      ['an unknown prompt', { prompt: 'signup' }, 'invalid_request'],
      ['prompt=none with login', { prompt: 'none login' }, 'invalid_request'],
      ['a negative max_age', { max_age: '-1' }, 'invalid_request'],
      ['an unknown response_mode', { response_mode: 'web_message' }, 'invalid_request'],
      ['an invalid id_token_hint', { id_token_hint: 'not.a.jwt' }, 'invalid_request'],
    ]
    for (const [label, params, error] of cases) {
      it(`redirects ${label} to the client as ${error}, with state, iss and security headers`, async () => {
        const s = await startFlowServer(factory)
        const client = await createCodeClient(s, { audience: ['https://api.test'] })
        const res = await new Browser(s).open(authorizeUrl(client, params))
        expect(res.status).toBe(302)
        expect(securityHeadersOf(res)).toEqual(SECURE)
        const to = locationOf(res)
        expect(`${to.origin}${to.pathname}`).toBe(REDIRECT_URI)
        const got = responseParams(res)
        expect(got.get('error')).toBe(error)
        expect(got.get('error_description')).toBeTruthy()
        expect(got.get('state')).toBe(params.state ?? 'state-0123456789')
        expect(got.get('iss')).toBe(ISSUER)
      })
    }

    it('omits state from an error when the request had none', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const got = responseParams(await new Browser(s).open(authorizeUrl(client, { state: undefined })))
      expect(got.get('error')).toBe('invalid_state')
      expect(got.has('state')).toBe(false)
      expect(got.get('iss')).toBe(ISSUER)
    })

    it('reports an error that oauth4webapi recognises as the server’s own, iss checked', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const res = await new Browser(s).open(authorizeUrl(client, { scope: 'openid admin' }))
      let error: unknown
      try {
        oauth.validateAuthResponse(AS, { client_id: client.client_id }, locationOf(res), 'state-0123456789')
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(oauth.AuthorizationResponseError)
      expect((error as oauth.AuthorizationResponseError).error).toBe('invalid_scope')
    })

    it('requires PKCE from public clients, and from every client with oauth2.pkce.enforced', async () => {
      const s = await startFlowServer(factory)
      const pub = await createCodeClient(s, { token_endpoint_auth_method: 'none' })
      const refused = responseParams(await new Browser(s).open(authorizeUrl(pub)))
      expect(refused.get('error')).toBe('invalid_request')
      expect(refused.get('error_description')).toContain('code_challenge')
      expect(locationOf(await new Browser(s).open(authorizeUrl(pub, S256))).href).toStartWith(LOGIN_URL)

      const confidential = await createCodeClient(s)
      expect(locationOf(await new Browser(s).open(authorizeUrl(confidential))).href).toStartWith(LOGIN_URL)
      const enforced = await startFlowServer(factory, { 'oauth2.pkce.enforced': true })
      const other = await createCodeClient(enforced)
      expect(responseParams(await new Browser(enforced).open(authorizeUrl(other))).get('error')).toBe('invalid_request')
      expect(locationOf(await new Browser(enforced).open(authorizeUrl(other, S256))).href).toStartWith(LOGIN_URL)
    })

    it('accepts a nonce of 8 characters and requires redirect_uri for OpenID Connect requests', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      expect(locationOf(await new Browser(s).open(authorizeUrl(client, { nonce: '12345678' }))).href).toStartWith(LOGIN_URL)
      const got = responseParams(await new Browser(s).open(authorizeUrl(client, { redirect_uri: undefined })))
      expect(got.get('error')).toBe('invalid_request')
      expect(got.get('error_description')).toContain('redirect_uri')
    })

    it('refuses a client that may not use the code grant or response type', async () => {
      const s = await startFlowServer(factory)
      const noType = await createCodeClient(s, { grant_types: ['client_credentials'], response_types: ['none'] })
      expect(responseParams(await new Browser(s).open(authorizeUrl(noType))).get('error')).toBe('unsupported_response_type')
      // The admin API refuses such a client; a row edited behind its back is still refused here.
      const noGrant = await createCodeClient(s)
      const row = (await s.store.clients.get(noGrant.client_id))!
      await s.store.clients.update({ ...row, data: { ...row.data, grant_types: ['client_credentials'] } })
      s.ctx.clients.invalidate(noGrant.client_id)
      expect(responseParams(await new Browser(s).open(authorizeUrl(noGrant))).get('error')).toBe('unauthorized_client')
    })

    it('sends errors in the requested response mode', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const fragment = await new Browser(s).open(authorizeUrl(client, { response_mode: 'fragment', scope: 'admin' }))
      const to = locationOf(fragment)
      expect(to.search).toBe('')
      expect(new URLSearchParams(to.hash.slice(1)).get('error')).toBe('invalid_scope')
      const posted = await new Browser(s).open(authorizeUrl(client, { response_mode: 'form_post', scope: 'admin' }))
      expect(posted.status).toBe(200)
      expect(securityHeadersOf(posted)).toEqual(SECURE)
      const html = await posted.text()
      expect(html).toContain('name="error" value="invalid_scope"')
      expect(html).toContain(`name="iss" value="${ISSUER}"`)
    })

    it('refuses a request too large to travel in the login challenge, and login context too large for the verifier', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const big = responseParams(await new Browser(s).open(authorizeUrl(client, { login_hint: 'x'.repeat(8000) })))
      expect(big.get('error')).toBe('invalid_request')
      expect(big.get('error_description')).toContain('too large')
      const b = new Browser(s)
      const login = await b.open(authorizeUrl(client, { login_hint: 'x'.repeat(1000) }))
      const challenge = new URL(login.headers.get('location')!).searchParams.get('login_challenge')!
      const res = await s.adminFetch(`http://localhost/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subject: 'alice', context: { blob: 'y'.repeat(20_000) } }),
      })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request')
      expect((await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challenge })).status).toBe(200)
    })

    it('shows a missing urls.login as a server error on the error page', async () => {
      const s = await startFlowServer(factory, { 'urls.login': undefined })
      const client = await createCodeClient(s)
      const res = await new Browser(s).open(authorizeUrl(client))
      expect(res.headers.get('location')).toBeNull()
      expect(await errorPageOf(res)).toMatchObject({ status: 500, error: 'server_error', description: expect.stringContaining('urls.login is not configured') })
    })
  })
}
