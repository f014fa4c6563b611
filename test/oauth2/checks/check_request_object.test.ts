import { describe, expect, it } from 'bun:test'
import { SignJWT } from 'jose'
import * as client from 'openid-client'
import {
  Browser,
  challengeOf,
  LOGIN_URL,
  locationOf,
  REDIRECT_URI,
  responseParams,
  startFlowServer,
  storeFactories,
} from '../../_harness.ts'
import {
  clientKey,
  createJarClient,
  expectRefused,
  issue,
  jarUrl,
  localHost,
  openidClient,
  redeem,
  requestParams,
  unsigned,
} from './_request_object.ts'

const host = localHost()

for (const factory of storeFactories()) {
  describe(`request objects by value (${factory.name})`, () => {
    it('runs a code flow from openid-client’s signed request object (JAR), its parameters only', async () => {
      const s = await startFlowServer(factory)
      const key = await clientKey('ES256')
      const c = await createJarClient(s, key, { request_object_signing_alg: 'ES256' })
      const config = await openidClient(s, c)
      const verifier = client.randomPKCECodeVerifier()
      const checks = { verifier, state: client.randomState(), nonce: client.randomNonce() }
      const jar = await client.buildAuthorizationUrlWithJAR(
        config,
        {
          redirect_uri: REDIRECT_URI,
          scope: 'openid',
          state: checks.state,
          nonce: checks.nonce,
          login_hint: 'alice@example.test',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        },
        { key: key.privateKey, kid: key.kid },
      )
      expect([...jar.searchParams.keys()].sort()).toEqual(['client_id', 'request'])
      // RFC 9101 §6.3: parameters outside the object do not count, however wrong they are.
      jar.searchParams.set('redirect_uri', 'https://evil.test/cb')
      jar.searchParams.set('scope', 'admin')
      jar.searchParams.set('state', 'outer')

      const login = await new Browser(s).open(jar.href)
      const { data } = await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challengeOf(login, 'login') })
      expect(data.oidc_context?.login_hint).toBe('alice@example.test')
      expect(data.requested_scope).toEqual(['openid'])
      const requestUrl = new URL(data.request_url)
      expect(requestUrl.searchParams.has('request')).toBe(false)
      expect(requestUrl.searchParams.get('redirect_uri')).toBe(REDIRECT_URI)

      const claims = await redeem(s, config, jar.href, checks)
      expect(claims).toMatchObject({ sub: 'alice', aud: [c.client_id], nonce: checks.nonce })
    })

    it('verifies with the keys at the client’s jwks_uri, any supported algorithm when none is registered', async () => {
      const s = await startFlowServer(factory)
      const key = await clientKey('PS256')
      const c = await createJarClient(s, key, { jwks: undefined, jwks_uri: host.serve(() => Response.json({ keys: [key.jwk] }), 'jwks.json') })
      const res = await new Browser(s).open(jarUrl(c, { request: await issue(s, c, key) }))
      expect(locationOf(res).href).toStartWith(`${LOGIN_URL}?login_challenge=`)
    })

    it('accepts an unsigned request object only from a client that registered request_object_signing_alg none', async () => {
      const s = await startFlowServer(factory)
      const key = await clientKey()
      const none = await createJarClient(s, key, { request_object_signing_alg: 'none' })
      expect(locationOf(await new Browser(s).open(jarUrl(none, { request: unsigned(s, none) }))).href).toStartWith(LOGIN_URL)

      const signs = await createJarClient(s, key)
      await expectRefused(await new Browser(s).open(jarUrl(signs, { request: unsigned(s, signs) })), 'invalid_request_object', /must be signed/)
      const es256 = await createJarClient(s, key, { request_object_signing_alg: 'ES256' })
      await expectRefused(await new Browser(s).open(jarUrl(es256, { request: unsigned(s, es256) })), 'invalid_request_object', /enforces "ES256"/)
      // A client registered for `none` still gets no signed object past the rule.
      await expectRefused(await new Browser(s).open(jarUrl(none, { request: await issue(s, none, key) })), 'invalid_request_object', /enforces "none"/)
    })

    it('refuses a request object signed by another key, with another algorithm, or with a MAC', async () => {
      const s = await startFlowServer(factory)
      const key = await clientKey('ES256')
      const c = await createJarClient(s, key)
      const stranger = await clientKey('ES256', key.kid)
      await expectRefused(await new Browser(s).open(jarUrl(c, { request: await issue(s, c, stranger) })), 'invalid_request_object', /signature/)

      const pinned = await createJarClient(s, key, { request_object_signing_alg: 'ES256' })
      const rsa = await clientKey('RS256', key.kid)
      await expectRefused(await new Browser(s).open(jarUrl(pinned, { request: await issue(s, pinned, rsa) })), 'invalid_request_object', /"RS256".*"ES256"/)

      const hmac = await new SignJWT({ ...requestParams(), client_id: c.client_id })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(c.client_secret))
      await expectRefused(await new Browser(s).open(jarUrl(c, { request: hmac })), 'invalid_request_object', /"HS256" is not supported/)

      const unreachable = await createJarClient(s, key, { jwks: undefined, jwks_uri: host.serve(() => new Response('down', { status: 503 }), 'jwks.json') })
      const res = await new Browser(s).open(jarUrl(unreachable, { request: await issue(s, unreachable, key) }))
      await expectRefused(res, 'invalid_request_object', /could not be fetched from its jwks_uri/)

      const keyless = await createJarClient(s, key, { jwks: undefined })
      await expectRefused(await new Browser(s).open(jarUrl(keyless, { request: await issue(s, keyless, key) })), 'invalid_request_object', /no JSON Web Keys/)
    })

    it('refuses a tampered, malformed or encrypted request object', async () => {
      const s = await startFlowServer(factory)
      const key = await clientKey()
      const c = await createJarClient(s, key)
      const [header, payload, signature] = (await issue(s, c, key)).split('.')
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
      const forged = Buffer.from(JSON.stringify({ ...claims, scope: 'openid offline_access' })).toString('base64url')
      await expectRefused(await new Browser(s).open(jarUrl(c, { request: `${header}.${forged}.${signature}` })), 'invalid_request_object', /signature/)
      for (const bad of ['', 'not-a-jwt', 'a.b.c', `${header}.${payload}`]) {
        await expectRefused(await new Browser(s).open(jarUrl(c, { request: bad })), 'invalid_request_object', /well-formed/)
      }
      await expectRefused(await new Browser(s).open(jarUrl(c, { request: 'a.b.c.d.e' })), 'invalid_request_object', /Encrypted/)
    })

    it('refuses an expired or not yet valid request object, and one for another issuer, audience or client', async () => {
      const s = await startFlowServer(factory)
      const key = await clientKey()
      const c = await createJarClient(s, key)
      const expired = await issue(s, c, key)
      s.clock.advance(91_000) // exp is 60 s after iat, and 30 s of leeway
      await expectRefused(await new Browser(s).open(jarUrl(c, { request: expired })), 'invalid_request_object', /expired/)

      const cases: [change: (claims: Record<string, unknown>) => void, why: RegExp][] = [
        [(x) => (x.nbf = (x.iat as number) + 120), /not valid yet/],
        [(x) => (x.exp = 'tomorrow'), /expired/],
        [(x) => (x.iss = 'someone-else'), /issuer \(iss\)/],
        [(x) => (x.aud = 'https://other-issuer.test'), /audience \(aud\)/],
        [(x) => (x.client_id = 'someone-else'), /client_id/],
        [(x) => (x.request_uri = 'https://client.test/request.jwt'), /must not contain/],
      ]
      for (const [change, why] of cases) {
        const jwt = await issue(s, c, key, requestParams(), (_h, claims) => change(claims))
        await expectRefused(await new Browser(s).open(jarUrl(c, { request: jwt })), 'invalid_request_object', why)
      }
      const listed = await issue(s, c, key, requestParams(), (_h, claims) => (claims.aud = ['https://other.test', 'https://gatehouse.test']))
      expect(locationOf(await new Browser(s).open(jarUrl(c, { request: listed }))).href).toStartWith(LOGIN_URL)
    })

    it('redirects errors in the verified object’s values to its redirect_uri with its state', async () => {
      const s = await startFlowServer(factory)
      const key = await clientKey()
      const c = await createJarClient(s, key)
      const jwt = await issue(s, c, key, requestParams({ scope: 'openid admin', state: 'inner-state-0123' }))
      const res = await new Browser(s).open(jarUrl(c, { request: jwt, state: 'outer-state-0123' }))
      expect(`${locationOf(res).origin}${locationOf(res).pathname}`).toBe(REDIRECT_URI)
      const got = responseParams(res)
      expect([got.get('error'), got.get('state')]).toEqual(['invalid_scope', 'inner-state-0123'])

      const maxAge = await issue(s, c, key, requestParams(), (_h, claims) => (claims.max_age = -5))
      expect(responseParams(await new Browser(s).open(jarUrl(c, { request: maxAge }))).get('error')).toBe('invalid_request')
    })

    it('refuses request and request_uri together', async () => {
      const s = await startFlowServer(factory)
      const key = await clientKey()
      const c = await createJarClient(s, key, { request_uris: ['https://client.test/request.jwt'] })
      const res = await new Browser(s).open(jarUrl(c, { request: await issue(s, c, key), request_uri: 'https://client.test/request.jwt' }))
      await expectRefused(res, 'invalid_request', /'request' and 'request_uri'/)
    })
  })
}
