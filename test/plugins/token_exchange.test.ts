import { afterAll, describe, expect, it } from 'bun:test'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import {
  createClient,
  createMintClient,
  errorOf,
  introspect,
  issueCode,
  redeem,
  storeFactories,
  type TestClient,
} from '../_harness.ts'
import { startWithPlugins, token } from './_plugins.ts'

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const AT = 'urn:ietf:params:oauth:token-type:access_token'
const JWT = 'urn:ietf:params:oauth:token-type:jwt'
const ID = 'urn:ietf:params:oauth:token-type:id_token'
const IDP = 'https://idp.test'

// An external identity provider: its JWKS served over HTTP, its tokens signed here.
const idpKeys = await generateKeyPair('ES256')
const idpJwk = { ...(await exportJWK(idpKeys.publicKey)), kid: 'idp-1', alg: 'ES256' }
const jwks = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => Response.json({ keys: [idpJwk] }) })
afterAll(() => jwks.stop(true))

const idpToken = (now: number, claims: Record<string, unknown> = {}, iss = IDP) =>
  new SignJWT({ sub: 'bob', aud: 'gatehouse', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
    .setIssuer(iss)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + 300)
    .sign(idpKeys.privateKey)

const pluginConfig = (extra: Record<string, unknown> = {}) => ({
  plugins: [
    {
      name: 'token-exchange',
      options: { trusted_issuers: [{ issuer: IDP, jwks_uri: `http://127.0.0.1:${jwks.port}/jwks`, audience: 'gatehouse' }], ...extra },
    },
  ],
})

for (const factory of storeFactories()) {
  describe(`token-exchange plugin (${factory.name})`, () => {
    async function setup(extra: Record<string, unknown> = {}) {
      const s = await startWithPlugins(factory, [], pluginConfig(extra))
      const exchanger = await createClient(s, { grant_types: [GRANT, 'refresh_token'], scope: 'read write', audience: ['https://api.test'] })
      const user = await createMintClient(s, { scope: 'openid offline_access read write' })
      const tokens = await redeem(s, user, await issueCode(s, user, { scope: ['openid', 'read'] }))
      const exchange = (form: Record<string, string>, client: TestClient = exchanger) => token(s, { grant_type: GRANT, ...form }, client)
      return { s, exchanger, user, tokens, exchange }
    }

    it('exchanges an access token of this server for one issued to the exchanging client', async () => {
      const { s, exchanger, tokens, exchange } = await setup()
      const res = await exchange({ subject_token: tokens.access_token, subject_token_type: AT, scope: 'read', audience: 'https://api.test/v1' })
      expect(res.status).toBe(200)
      const body = (await res.json()) as Record<string, unknown>
      expect(body).toEqual({
        access_token: expect.stringMatching(/^ory_at_/),
        issued_token_type: AT,
        token_type: 'bearer',
        expires_in: 3600,
        scope: 'read',
      })
      expect(await introspect(s, body.access_token as string)).toMatchObject({
        active: true,
        sub: 'alice',
        client_id: exchanger.client_id,
        scope: 'read',
        aud: ['https://api.test/v1'],
      })
      const doc = (await (await s.publicFetch('http://localhost/.well-known/openid-configuration')).json()) as { grant_types_supported: string[] }
      expect(doc.grant_types_supported).toContain(GRANT)
    })

    it('records the actor of a delegation in act, and honours may_act', async () => {
      const { s, exchanger, user, exchange } = await setup()
      const actor = await createClient(s, { scope: 'read' })
      const actorToken = ((await (await token(s, { grant_type: 'client_credentials' }, actor)).json()) as { access_token: string }).access_token
      const delegated = await redeem(s, user, await issueCode(s, user, { scope: ['read'], session: { access_token_claims: { may_act: { sub: actor.client_id } } } }))
      const res = await exchange({ subject_token: delegated.access_token, subject_token_type: AT, actor_token: actorToken, actor_token_type: AT })
      expect(res.status).toBe(200)
      const info = await introspect(s, ((await res.json()) as { access_token: string }).access_token)
      expect(info.ext).toEqual({ act: { sub: actor.client_id } })

      const stranger = ((await (await token(s, { grant_type: 'client_credentials' }, exchanger)).json()) as { access_token: string }).access_token
      const refused = await exchange({ subject_token: delegated.access_token, subject_token_type: AT, actor_token: stranger, actor_token_type: AT })
      expect(await errorOf(refused)).toMatchObject({ status: 400, error: 'invalid_request' })
    })

    it('accepts a JWT of a trusted issuer verified with its JWKS, and an ID token of this server for its own client', async () => {
      const { s, user, tokens, exchange } = await setup({ refresh_token: true, expires_in: 120 })
      const res = await exchange({ subject_token: await idpToken(s.clock()), subject_token_type: JWT })
      expect(res.status).toBe(200)
      const body = (await res.json()) as Record<string, unknown>
      expect(body.expires_in).toBe(120)
      expect(body.refresh_token).toEqual(expect.stringMatching(/^ory_rt_/))
      expect((await introspect(s, body.access_token as string)).sub).toBe('bob')

      // The ID token was issued to `user`: another client cannot exchange it.
      expect(await errorOf(await exchange({ subject_token: tokens.id_token!, subject_token_type: ID }))).toMatchObject({
        status: 400,
        error: 'invalid_request',
      })
      await s.hydra.oauth2.patchOAuth2Client({ id: user.client_id, jsonPatch: [{ op: 'add', path: '/grant_types/-', value: GRANT }] })
      const own = await token(s, { grant_type: GRANT, subject_token: tokens.id_token!, subject_token_type: ID }, user)
      expect(own.status).toBe(200)
      expect((await introspect(s, ((await own.json()) as { access_token: string }).access_token)).sub).toBe('alice')
    })

    const refusals: [string, (x: { now: number; at: string; rt: string }) => Promise<Record<string, string>>, number, string][] = [
      ['no subject_token_type', async ({ at }) => ({ subject_token: at }), 400, 'invalid_request'],
      ['an unsupported subject_token_type', async ({ at }) => ({ subject_token: at, subject_token_type: 'urn:x' }), 400, 'invalid_request'],
      ['an unknown access token', async () => ({ subject_token: 'ory_at_nope.nope', subject_token_type: AT }), 400, 'invalid_request'],
      ['a refresh token posing as an access token', async ({ rt }) => ({ subject_token: rt, subject_token_type: AT }), 400, 'invalid_request'],
      ['a requested_token_type other than access_token', async ({ at }) => ({ subject_token: at, subject_token_type: AT, requested_token_type: JWT }), 400, 'invalid_request'],
      ['an actor_token without its type', async ({ at }) => ({ subject_token: at, subject_token_type: AT, actor_token: at }), 400, 'invalid_request'],
      ['more scope than the subject token carries', async ({ at }) => ({ subject_token: at, subject_token_type: AT, scope: 'write' }), 400, 'invalid_scope'],
      ['a resource that is not an absolute URI', async ({ at }) => ({ subject_token: at, subject_token_type: AT, resource: 'api' }), 400, 'invalid_target'],
      ['an audience the client may not address', async ({ at }) => ({ subject_token: at, subject_token_type: AT, audience: 'https://evil.test' }), 400, 'invalid_target'],
      ['a JWT of an untrusted issuer', async ({ now }) => ({ subject_token: await idpToken(now, {}, 'https://other.test'), subject_token_type: JWT }), 400, 'invalid_request'],
      ['a JWT for another audience', async ({ now }) => ({ subject_token: await idpToken(now, { aud: 'other' }), subject_token_type: JWT }), 400, 'invalid_request'],
      ['an expired JWT', async ({ now }) => ({ subject_token: await idpToken(now - 3_600_000), subject_token_type: JWT }), 400, 'invalid_request'],
    ]
    for (const [what, form, status, error] of refusals) {
      it(`refuses ${what} with ${status} ${error}`, async () => {
        const { s, tokens, exchange } = await setup()
        const res = await exchange(await form({ now: s.clock(), at: tokens.access_token, rt: tokens.refresh_token! }))
        expect(await errorOf(res)).toMatchObject({ status, error })
      })
    }

    it('refuses a revoked subject token', async () => {
      const { s, user, tokens, exchange } = await setup()
      await s.publicFetch('http://localhost/oauth2/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa(`${user.client_id}:${user.client_secret}`)}` },
        body: new URLSearchParams({ token: tokens.access_token }).toString(),
      })
      expect(await errorOf(await exchange({ subject_token: tokens.access_token, subject_token_type: AT }))).toMatchObject({
        status: 400,
        error: 'invalid_request',
      })
    })
  })
}
