import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { JsonWebKey } from '@ory/hydra-client'
import * as oauth from 'oauth4webapi'
import { UnsecuredJWT, type JWK } from 'jose'
import {
  AS,
  createClient,
  ISSUER,
  postForm,
  REVOKE_URL,
  startServer,
  storeFactories,
  via,
  type TestServer,
} from '../../_harness.ts'
import { seconds } from '../../../src/util/clock.ts'
import {
  assertion,
  CC,
  expectInvalidClient,
  expectToken,
  JWT_BEARER,
  keyPair,
  secretSigner,
  tokenWith,
  TOKEN_AUD,
  type Signer,
} from './_assertion.ts'

/** Key sets served over HTTP on 127.0.0.1, one path per set; `hits` counts fetches per path. */
const published = new Map<string, JWK[] | number>()
const hits = new Map<string, number>()
const jwksServer = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req) {
    const path = new URL(req.url).pathname
    hits.set(path, (hits.get(path) ?? 0) + 1)
    const set = published.get(path)
    if (set === undefined) return new Response('not found', { status: 404 })
    if (typeof set === 'number') return new Response('unavailable', { status: set })
    return Response.json({ keys: set })
  },
})
afterAll(() => {
  void jwksServer.stop(true)
})
let seq = 0
function publish(keys: JWK[] | number) {
  const path = `/jwks/${seq++}`
  published.set(path, keys)
  return { uri: `http://127.0.0.1:${jwksServer.port}${path}`, path }
}

async function pkjClient(s: TestServer, keys: JWK[], extra: Record<string, unknown> = {}) {
  const c = await createClient(s, { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: keys as JsonWebKey[] }, ...extra })
  return c.client_id
}

for (const factory of storeFactories()) {
  describe(`private_key_jwt at the token endpoint (${factory.name})`, () => {
    // One server per store: every test registers its own clients.
    let s: TestServer
    beforeAll(async () => {
      s = await startServer(factory)
    })

    it('accepts an assertion signed with a key of the client jwks', async () => {
      const key = await keyPair('ES256', 'k1')
      const id = await pkjClient(s, [key.jwk])
      await expectToken(await tokenWith(s, await assertion(s, id, key)))
      // aud may name the issuer or list the token endpoint among others; a matching client_id is allowed.
      await expectToken(await tokenWith(s, await assertion(s, id, key, { aud: ISSUER })))
      await expectToken(await tokenWith(s, await assertion(s, id, key, { aud: ['https://rs.example', TOKEN_AUD] })))
      await expectToken(await tokenWith(s, await assertion(s, id, key), { client_id: id }))
    })

    it('accepts RSA-PSS, RSA and EdDSA keys and the registered algorithm', async () => {
      for (const alg of ['PS256', 'RS256', 'EdDSA'] as const) {
        const key = await keyPair(alg, alg)
        const id = await pkjClient(s, [key.jwk], alg === 'EdDSA' ? {} : { token_endpoint_auth_signing_alg: alg })
        await expectToken(await tokenWith(s, await assertion(s, id, key)))
      }
    })

    it('works with oauth4webapi PrivateKeyJwt', async () => {
      const key = await keyPair('ES256', 'k1')
      const id = await pkjClient(s, [key.jwk])
      const client = { client_id: id }
      const auth = oauth.PrivateKeyJwt({ key: key.key as CryptoKey, kid: key.kid }, {
        // oauth4webapi reads the system clock; the server runs on the test clock.
        [oauth.modifyAssertion]: (_h: unknown, p: Record<string, unknown>) => {
          p.iat = p.nbf = seconds(s.clock())
          p.exp = seconds(s.clock()) + 60
        },
      })
      const res = await oauth.clientCredentialsGrantRequest(AS, client, auth, {}, via(s))
      const body = await oauth.processClientCredentialsResponse(AS, client, res)
      expect(body.token_type).toBe('bearer')
    })

    it('authenticates at the revocation endpoint with its own URL as aud', async () => {
      const key = await keyPair('ES256', 'k1')
      const id = await pkjClient(s, [key.jwk])
      const { access_token } = (await (await tokenWith(s, await assertion(s, id, key))).json()) as { access_token: string }
      const jwt = await assertion(s, id, key, { aud: `${ISSUER}/oauth2/revoke` })
      const res = await postForm(s.publicFetch, REVOKE_URL, { token: access_token, client_assertion_type: JWT_BEARER, client_assertion: jwt })
      expect(res.status).toBe(200)
    })

    it('refuses a replayed assertion and a reused jti', async () => {
      const key = await keyPair('ES256', 'k1')
      const id = await pkjClient(s, [key.jwk])
      const jwt = await assertion(s, id, key, { jti: 'once' })
      const before = await s.store.tokens.count('access_token')
      await expectToken(await tokenWith(s, jwt))
      await expectInvalidClient(await tokenWith(s, jwt), /jti has already been used/)
      s.clock.advance(10_000)
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, key, { jti: 'once' })), /jti has already been used/)
      // A jti is scoped to its client.
      const other = await pkjClient(s, [key.jwk])
      await expectToken(await tokenWith(s, await assertion(s, other, key, { jti: 'once' })))
      expect(await s.store.tokens.count('access_token')).toBe(before + 2)
    })

    it('refuses an assertion that was valid when signed but has since expired', async () => {
      const key = await keyPair('ES256', 'k1')
      const id = await pkjClient(s, [key.jwk])
      const jwt = await assertion(s, id, key)
      s.clock.advance(5 * 60_000)
      await expectInvalidClient(await tokenWith(s, jwt), /expired/)
    })

    const now = () => seconds(s.clock())
    const cases: [string, (id: string, key: Signer) => Promise<string>, RegExp][] = [
      ['a wrong aud', (id, k) => assertion(s, id, k, { aud: 'https://other.example/oauth2/token' }), /claim "aud"/],
      ['no aud', (id, k) => assertion(s, id, k, { aud: undefined }), /claim "aud"/],
      ['an expired exp', (id, k) => assertion(s, id, k, { iat: now() - 120, exp: now() - 60 }), /expired/],
      ['no exp', (id, k) => assertion(s, id, k, { exp: undefined }), /claim "exp"/],
      ['no jti', (id, k) => assertion(s, id, k, { jti: undefined }), /claim "jti"/],
      ['an empty jti', (id, k) => assertion(s, id, k, { jti: '' }), /jti/],
      ['iss other than sub', (id, k) => assertion(s, id, k, { iss: 'someone-else' }), /claim "iss"/],
      ['a future nbf', (id, k) => assertion(s, id, k, { nbf: now() + 300 }), /claim "nbf"/],
      ['a future iat', (id, k) => assertion(s, id, k, { iat: now() + 300, exp: now() + 360 }), /issued in the future/],
      ['exp more than an hour away', (id, k) => assertion(s, id, k, { exp: now() + 7200 }), /more than 3600 seconds/],
      ['exp more than an hour past iat', (id, k) => assertion(s, id, k, { iat: now() - 3000, exp: now() + 1000 }), /more than 3600 seconds/],
      ['an unknown kid', (id, k) => assertion(s, id, k, {}, { kid: 'unknown' }), /No unique key/],
      ['alg none', async (id) => new UnsecuredJWT({ iss: id, sub: id, aud: TOKEN_AUD, jti: 'x', exp: now() + 60 }).encode(), /"none" is not allowed/],
    ]
    for (const [name, make, why] of cases) {
      it(`refuses an assertion with ${name} with 401 invalid_client`, async () => {
        const key = await keyPair('ES256', 'k1')
        const id = await pkjClient(s, [key.jwk])
        const before = await s.store.tokens.count('access_token')
        await expectInvalidClient(await tokenWith(s, await make(id, key)), why)
        expect(await s.store.tokens.count('access_token')).toBe(before)
      })
    }

    it('refuses an algorithm other than the registered one', async () => {
      const ec = await keyPair('ES256', 'ec')
      const rsa = await keyPair('RS256', 'rsa')
      const id = await pkjClient(s, [ec.jwk, rsa.jwk], { token_endpoint_auth_signing_alg: 'ES256' })
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, rsa)), /registered algorithm "ES256"/)
      await expectToken(await tokenWith(s, await assertion(s, id, ec)))
    })

    it('refuses an HMAC assertion for a private_key_jwt client', async () => {
      const key = await keyPair('ES256', 'k1')
      const id = await pkjClient(s, [key.jwk])
      const jwt = await assertion(s, id, secretSigner('a-secret-of-at-least-thirty-two-bytes!'))
      await expectInvalidClient(await tokenWith(s, jwt), /supports client authentication method "private_key_jwt", but method "client_secret_jwt"/)
    })

    it('refuses an assertion signed with the key of another client', async () => {
      const mine = await keyPair('ES256', 'shared-kid')
      const theirs = await keyPair('ES256', 'shared-kid')
      const id = await pkjClient(s, [mine.jwk])
      await pkjClient(s, [theirs.jwk])
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, theirs)), /signature is invalid/)
    })

    it('refuses a client_id parameter naming another client', async () => {
      const key = await keyPair('ES256', 'k1')
      const id = await pkjClient(s, [key.jwk])
      const other = await pkjClient(s, [key.jwk])
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, key), { client_id: other }), /client_id parameter does not match/)
    })

    it('refuses an assertion from a client registered for another method', async () => {
      const key = await keyPair('ES256', 'k1')
      const c = await createClient(s, { jwks: { keys: [key.jwk as JsonWebKey] } })
      await expectInvalidClient(
        await tokenWith(s, await assertion(s, c.client_id, key)),
        /supports client authentication method "client_secret_basic", but method "private_key_jwt"/,
      )
    })

    it('refuses a wrong client_assertion_type and a malformed assertion', async () => {
      const key = await keyPair('ES256', 'k1')
      const id = await pkjClient(s, [key.jwk])
      const jwt = await assertion(s, id, key)
      await expectInvalidClient(await tokenWith(s, jwt, { client_assertion_type: 'urn:example:saml' }), /client_assertion_type parameter must be/)
      await expectInvalidClient(await tokenWith(s, 'not.a.jwt', { client_id: id }), /not a well-formed JWT/)
      // The first, refused request did not use up the jti.
      await expectToken(await tokenWith(s, jwt))
    })

    it('fetches a jwks_uri, caches it, and refetches when a new kid appears', async () => {
      const k1 = await keyPair('ES256', 'k1')
      const k2 = await keyPair('ES256', 'k2')
      const { uri, path } = publish([k1.jwk])
      const id = (await createClient(s, { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: uri })).client_id
      await expectToken(await tokenWith(s, await assertion(s, id, k1)))
      await expectToken(await tokenWith(s, await assertion(s, id, k1)))
      expect(hits.get(path)).toBe(1)
      // The client rotates to k2; once the refetch interval has passed an unknown kid fetches the set again.
      published.set(path, [k2.jwk])
      s.clock.advance(60_000)
      await expectToken(await tokenWith(s, await assertion(s, id, k2)))
      expect(hits.get(path)).toBe(2)
    })

    it('refuses with 401 invalid_client when the jwks_uri cannot be fetched', async () => {
      const key = await keyPair('ES256', 'k1')
      for (const { uri } of [publish(500), { uri: `http://127.0.0.1:${jwksServer.port}/missing` }]) {
        const id = (await createClient(s, { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: uri })).client_id
        await expectInvalidClient(await tokenWith(s, await assertion(s, id, key)), /could not be fetched from its jwks_uri/)
      }
    })

    it('refuses client_secret_post credentials for a private_key_jwt client', async () => {
      const key = await keyPair('ES256', 'k1')
      const id = await pkjClient(s, [key.jwk])
      const res = await postForm(s.publicFetch, 'http://localhost/oauth2/token', { ...CC, client_id: id, client_secret: 'x' })
      await expectInvalidClient(res, /supports client authentication method "private_key_jwt", but method "client_secret_post"/)
    })
  })
}
