import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import { decodeJwt, SignJWT, type JWTPayload } from 'jose'
import {
  AS,
  basic,
  createClient,
  expectError,
  introspect,
  ISSUER,
  postForm,
  storeFactories,
  TOKEN_URL,
  via,
  type TestServer,
} from '../../_harness.ts'
import { seconds } from '../../../src/util/clock.ts'
import { keyPair, TOKEN_AUD, type Signer } from '../client_auth/_assertion.ts'
import { sharedServers, TRUSTED_ISSUER, trustIssuer } from '../_oauth2.ts'
import { cluster } from './_grants.ts'

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const HOUR = 3_600_000

/**
 * An assertion of TRUSTED_ISSUER about alice, valid at the server's clock for five minutes, signed by `signer`
 * (its kid in the header); `claims` override or (with undefined) remove claims, `header` extends the header.
 */
function grantAssertion(s: TestServer, signer: Signer, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
  const now = seconds(s.clock())
  const payload: JWTPayload = { iss: TRUSTED_ISSUER, sub: 'alice', aud: TOKEN_AUD, iat: now, exp: now + 300, jti: crypto.randomUUID(), ...claims }
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name]
  return new SignJWT(payload).setProtectedHeader({ alg: signer.alg, ...(signer.kid ? { kid: signer.kid } : {}), ...header }).sign(signer.key)
}

/** A jwt-bearer token request with no client credentials. */
const exchange = (s: TestServer, assertion: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  postForm(s.publicFetch, TOKEN_URL, { grant_type: GRANT, assertion, ...extra }, headers)

async function tokenOf(res: Response): Promise<Record<string, unknown> & { access_token: string }> {
  const body = (await res.json()) as Record<string, unknown> & { access_token: string }
  expect({ status: res.status, body }).toMatchObject({ status: 200, body: { token_type: 'bearer' } })
  return body
}

/** A fresh server with alice trusted for read and write under key A; B is a key nobody trusts. */
async function setup(server: ReturnType<typeof sharedServers>, overrides: Record<string, unknown> = {}) {
  const s = await server(overrides)
  const a = await keyPair('ES256', `key-a-${crypto.randomUUID()}`)
  const b = await keyPair('EdDSA', `key-b-${crypto.randomUUID()}`)
  const trust = await trustIssuer(s, a.jwk)
  return { s, a, b, trust }
}

for (const factory of storeFactories()) {
  describe(`jwt-bearer grant (${factory.name})`, () => {
    const server = sharedServers(factory)

    it('is advertised in discovery', async () => {
      const s = await server()
      const doc = (await (await s.publicFetch('http://localhost/.well-known/openid-configuration')).json()) as Record<string, string[]>
      expect(doc.grant_types_supported).toContain(GRANT)
    })

    it('exchanges a trusted assertion without any client for an access token of its subject, and nothing else', async () => {
      const { s, a } = await setup(server)
      const body = await tokenOf(await exchange(s, await grantAssertion(s, a), { scope: 'read' }))
      expect(body).toEqual({ access_token: expect.stringMatching(/^ory_at_/), token_type: 'bearer', expires_in: 3600, scope: 'read' })
      expect(await introspect(s, body.access_token)).toMatchObject({ active: true, sub: 'alice', client_id: '', scope: 'read', aud: [] })
    })

    it('serves a confidential client authenticated through oauth4webapi, and a public client naming itself', async () => {
      const { s, a } = await setup(server)
      const confidential = await createClient(s, { grant_types: [GRANT], scope: 'read write' })
      const res = await oauth.genericTokenEndpointRequest(
        AS,
        { client_id: confidential.client_id },
        oauth.ClientSecretBasic(confidential.client_secret),
        GRANT,
        { assertion: await grantAssertion(s, a), scope: 'read write' },
        via(s),
      )
      const tokens = await oauth.processGenericTokenEndpointResponse(AS, { client_id: confidential.client_id }, res)
      expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'read write' })
      expect(tokens.refresh_token).toBeUndefined()
      expect(tokens.id_token).toBeUndefined()
      expect(await introspect(s, tokens.access_token)).toMatchObject({ active: true, sub: 'alice', client_id: confidential.client_id })

      const pub = await createClient(s, { grant_types: [GRANT], token_endpoint_auth_method: 'none', scope: 'read' })
      const publicRes = await oauth.genericTokenEndpointRequest(AS, { client_id: pub.client_id }, oauth.None(), GRANT, { assertion: await grantAssertion(s, a) }, via(s))
      const publicTokens = await oauth.processGenericTokenEndpointResponse(AS, { client_id: pub.client_id }, publicRes)
      expect(await introspect(s, publicTokens.access_token)).toMatchObject({ active: true, sub: 'alice', client_id: pub.client_id, scope: '' })
    })

    it('bounds the scopes by the client’s when a client authenticates, and refuses a client without the grant type', async () => {
      const { s, a } = await setup(server)
      const narrow = await createClient(s, { grant_types: [GRANT], scope: 'read' })
      const auth = { authorization: basic(narrow.client_id, narrow.client_secret) }
      await expectError(await exchange(s, await grantAssertion(s, a), { scope: 'write' }, auth), 400, 'invalid_scope', /not allowed to request scope "write"/)
      const other = await createClient(s, { grant_types: ['client_credentials'], scope: 'read' })
      const res = await exchange(s, await grantAssertion(s, a), { scope: 'read' }, { authorization: basic(other.client_id, other.client_secret) })
      await expectError(res, 400, 'unauthorized_client', /not allowed to use authorization grant/)
      const wrong = await exchange(s, await grantAssertion(s, a), {}, { authorization: basic(narrow.client_id, 'wrong-secret') })
      expect(wrong.headers.get('www-authenticate')).toBeTruthy()
      await expectError(wrong, 401, 'invalid_client')
    })

    it('takes the audience a client may request, and the assertion’s aud only when omit_assertion_audience is off', async () => {
      const { s, a } = await setup(server)
      const client = await createClient(s, { grant_types: [GRANT], audience: ['https://api.test'] })
      const auth = { authorization: basic(client.client_id, client.client_secret) }
      const token = await tokenOf(await exchange(s, await grantAssertion(s, a), { audience: 'https://api.test/v1' }, auth))
      expect(await introspect(s, token.access_token)).toMatchObject({ aud: ['https://api.test/v1'] })
      await expectError(await exchange(s, await grantAssertion(s, a), { audience: 'https://other.test' }, auth), 400, 'invalid_request', /audience/)
      await expectError(await exchange(s, await grantAssertion(s, a), { audience: 'https://api.test' }), 400, 'invalid_request', /audience/)

      const legacy = await setup(server, { 'oauth2.grant.jwt.omit_assertion_audience': false })
      const copied = await tokenOf(await exchange(legacy.s, await grantAssertion(legacy.s, legacy.a, { aud: [TOKEN_AUD, ISSUER] })))
      expect(await introspect(legacy.s, copied.access_token)).toMatchObject({ aud: [TOKEN_AUD, ISSUER] })
    })

    it('signs JWT access tokens for the assertion’s subject when the strategy is jwt', async () => {
      const { s, a } = await setup(server, { 'strategies.access_token': 'jwt' })
      const { access_token } = await tokenOf(await exchange(s, await grantAssertion(s, a), { scope: 'read' }))
      expect(decodeJwt(access_token)).toMatchObject({ iss: ISSUER, sub: 'alice', scp: ['read'], client_id: '' })
    })

    it('uses a client’s jwt_bearer_grant_access_token_lifespan', async () => {
      const { s, a } = await setup(server)
      const client = await createClient(s, { grant_types: [GRANT], jwt_bearer_grant_access_token_lifespan: '5m' })
      const token = await tokenOf(await exchange(s, await grantAssertion(s, a), {}, { authorization: basic(client.client_id, client.client_secret) }))
      expect(token.expires_in).toBe(300)
    })

    it('finds the signing key among the trusted ones when the assertion names no kid, and trusts any subject when allowed', async () => {
      const { s, a, b } = await setup(server)
      await trustIssuer(s, b.jwk, { subject: undefined, allow_any_subject: true, scope: ['read'] })
      await tokenOf(await exchange(s, await grantAssertion(s, { ...a, kid: undefined }), { scope: 'write' }))
      const token = await tokenOf(await exchange(s, await grantAssertion(s, { ...b, kid: undefined }, { sub: 'carol' }), { scope: 'read' }))
      expect(await introspect(s, token.access_token)).toMatchObject({ sub: 'carol' })
      await expectError(await exchange(s, await grantAssertion(s, b, { sub: 'carol' }), { scope: 'write' }), 400, 'invalid_scope', /any subject does not allow the scope "write"/)
      await expectError(await exchange(s, await grantAssertion(s, a, { sub: 'carol' })), 400, 'invalid_grant', /issuer "https:\/\/idp.test" to assert the subject "carol"/)
    })

    it('refuses untrusted issuers, other keys and other subjects with invalid_grant', async () => {
      const { s, a, b } = await setup(server)
      await expectError(await exchange(s, await grantAssertion(s, a, { iss: 'https://rogue.test' })), 400, 'invalid_grant', /No trust relationship allows the issuer "https:\/\/rogue.test"/)
      await expectError(await exchange(s, await grantAssertion(s, { ...b, kid: a.kid })), 400, 'invalid_grant', /signature does not verify/)
      await expectError(await exchange(s, await grantAssertion(s, { ...b, kid: undefined })), 400, 'invalid_grant', /signature does not verify/)
      const forged = await keyPair('ES256', a.kid!)
      await expectError(await exchange(s, await grantAssertion(s, forged)), 400, 'invalid_grant', /signature does not verify/)
      await expectError(await exchange(s, await grantAssertion(s, b)), 400, 'invalid_grant', /with the key "key-b-/)
      await expectError(await exchange(s, await grantAssertion(s, a, { sub: 'mallory' })), 400, 'invalid_grant', /subject "mallory"/)
    })

    it('refuses once the trust relationship expired or was deleted', async () => {
      const { s, a, trust } = await setup(server, { 'urls.self.issuer': 'https://expiry.test' })
      const aud = 'https://expiry.test/oauth2/token'
      await tokenOf(await exchange(s, await grantAssertion(s, a, { aud })))
      s.clock.advance(24 * HOUR)
      await expectError(await exchange(s, await grantAssertion(s, a, { aud })), 400, 'invalid_grant', /or it has expired/)
      s.clock.advance(-24 * HOUR)
      await s.hydra.oauth2.deleteTrustedOAuth2JwtGrantIssuer({ id: trust.id! })
      await expectError(await exchange(s, await grantAssertion(s, a, { aud })), 400, 'invalid_grant', /No trust relationship/)
    })

    it('accepts the issuer or the token endpoint as aud, nothing else', async () => {
      const { s, a } = await setup(server)
      await tokenOf(await exchange(s, await grantAssertion(s, a, { aud: ISSUER })))
      await tokenOf(await exchange(s, await grantAssertion(s, a, { aud: ['https://rs.test', TOKEN_AUD] })))
      await expectError(await exchange(s, await grantAssertion(s, a, { aud: 'https://rs.test' })), 400, 'invalid_grant', /claim "aud" is invalid/)
      await expectError(await exchange(s, await grantAssertion(s, a, { aud: `${ISSUER}/oauth2/revoke` })), 400, 'invalid_grant', /claim "aud"/)
      await expectError(await exchange(s, await grantAssertion(s, a, { aud: undefined })), 400, 'invalid_grant', /claim "aud"/)
    })

    it('checks exp, nbf and iat, and the longest validity of oauth2.grant.jwt.max_ttl', async () => {
      const { s, a } = await setup(server)
      const now = seconds(s.clock())
      await expectError(await exchange(s, await grantAssertion(s, a, { iat: now - 600, exp: now - 60 })), 400, 'invalid_grant', /assertion has expired/)
      await expectError(await exchange(s, await grantAssertion(s, a, { exp: undefined })), 400, 'invalid_grant', /claim "exp"/)
      await expectError(await exchange(s, await grantAssertion(s, a, { nbf: now + 600 })), 400, 'invalid_grant', /claim "nbf"/)
      await tokenOf(await exchange(s, await grantAssertion(s, a, { nbf: now - 10 })))
      await expectError(await exchange(s, await grantAssertion(s, a, { iat: now + 600, exp: now + 900 })), 400, 'invalid_grant', /issued in the future/)
      await tokenOf(await exchange(s, await grantAssertion(s, a, { exp: now + 719 * 3600 })))
      await expectError(await exchange(s, await grantAssertion(s, a, { exp: now + 721 * 3600 })), 400, 'invalid_grant', /more than 2592000 seconds/)

      const short = await setup(server, { 'oauth2.grant.jwt.max_ttl': '1h' })
      const t = seconds(short.s.clock())
      await expectError(await exchange(short.s, await grantAssertion(short.s, short.a, { iat: t - 3000, exp: t + 1000 })), 400, 'invalid_grant', /more than 3600 seconds/)
      await tokenOf(await exchange(short.s, await grantAssertion(short.s, short.a, { exp: t + 3500 })))
    })

    it('requires iat and jti unless iat_optional and jti_optional', async () => {
      const { s, a } = await setup(server)
      await expectError(await exchange(s, await grantAssertion(s, a, { iat: undefined })), 400, 'invalid_grant', /claim "iat" is invalid: missing/)
      await expectError(await exchange(s, await grantAssertion(s, a, { jti: undefined })), 400, 'invalid_grant', /claim "jti" is invalid: missing/)
      await expectError(await exchange(s, await grantAssertion(s, a, { jti: 42 })), 400, 'invalid_grant', /"jti" must be a non-empty string/)

      const lax = await setup(server, { 'oauth2.grant.jwt.iat_optional': true, 'oauth2.grant.jwt.jti_optional': true })
      const bare = await grantAssertion(lax.s, lax.a, { iat: undefined, jti: undefined })
      await tokenOf(await exchange(lax.s, bare))
      await tokenOf(await exchange(lax.s, bare))
      const t = seconds(lax.s.clock())
      await expectError(await exchange(lax.s, await grantAssertion(lax.s, lax.a, { iat: undefined, exp: t + 721 * 3600 })), 400, 'invalid_grant', /more than/)
    })

    it('refuses a replayed jti until the assertion expires, and spends it only when everything else holds', async () => {
      const { s, a } = await setup(server)
      const jwt = await grantAssertion(s, a, { jti: 'once' })
      await expectError(await exchange(s, jwt, { scope: 'admin' }), 400, 'invalid_scope')
      await tokenOf(await exchange(s, jwt, { scope: 'read' }))
      await expectError(await exchange(s, jwt), 400, 'invalid_grant', /jti has already been used/)
      await expectError(await exchange(s, await grantAssertion(s, a, { jti: 'once' })), 400, 'invalid_grant', /jti has already been used/)
      const other = await keyPair('ES256', 'other-issuer-key')
      await trustIssuer(s, other.jwk, { issuer: 'https://other-idp.test' })
      await tokenOf(await exchange(s, await grantAssertion(s, other, { iss: 'https://other-idp.test', jti: 'once' })))
      s.clock.advance(HOUR)
      await trustIssuer(s, a.jwk, { subject: 'after-expiry' })
      await tokenOf(await exchange(s, await grantAssertion(s, a, { jti: 'once', sub: 'after-expiry' })))
    })

    it('accepts an assertion presented to several nodes at once on exactly one of them', async () => {
      const nodes = await cluster(factory, 2)
      const key = await keyPair('ES256', 'race-key')
      await trustIssuer(nodes[0]!, key.jwk)
      const jwt = await grantAssertion(nodes[0]!, key)
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => exchange(nodes[i % 2]!, jwt)))
      expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400, 400, 400])
      for (const refused of answers.filter((r) => r.status === 400)) await expectError(refused, 400, 'invalid_grant', /jti has already been used/)
    })

    it('refuses scopes beyond the trust relationship with invalid_scope', async () => {
      const { s, a } = await setup(server)
      await expectError(await exchange(s, await grantAssertion(s, a), { scope: 'read admin' }), 400, 'invalid_scope', /does not allow the scope "admin"/)
      await expectError(await exchange(s, await grantAssertion(s, a), { scope: 'read "x"' }), 400, 'invalid_scope', /malformed scope token/)
    })

    it('refuses a missing or malformed assertion', async () => {
      const { s, a } = await setup(server)
      await expectError(await postForm(s.publicFetch, TOKEN_URL, { grant_type: GRANT }), 400, 'invalid_request', /missing the "assertion" parameter/)
      await expectError(await exchange(s, 'not-a-jwt'), 400, 'invalid_grant', /not a well-formed JWT/)
      await expectError(await exchange(s, 'e30.e30.'), 400, 'invalid_grant', /must be signed/)
      const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: TRUSTED_ISSUER, sub: 'alice' })).toString('base64url')}.`
      await expectError(await exchange(s, unsigned), 400, 'invalid_grant', /must be signed/)
      await expectError(await exchange(s, await grantAssertion(s, a, { iss: undefined })), 400, 'invalid_grant', /"iss" \(issuer\) claim/)
      await expectError(await exchange(s, await grantAssertion(s, a, { sub: '' })), 400, 'invalid_grant', /"sub" \(subject\) claim/)
      await expectError(await exchange(s, await grantAssertion(s, a, {}, { kid: 7 })), 400, 'invalid_grant', /"kid" header/)
      const jwt = await grantAssertion(s, a)
      await expectError(await exchange(s, `${jwt.slice(0, -4)}AAAA`), 400, 'invalid_grant', /signature does not verify/)
      await expectError(await postForm(s.publicFetch, TOKEN_URL, `grant_type=${encodeURIComponent(GRANT)}&assertion=${jwt}&assertion=${jwt}`), 400, 'invalid_request', /only be included once/)
    })
  })
}
