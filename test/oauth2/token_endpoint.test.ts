import { describe, expect, it } from 'bun:test'
import {
  basic,
  createClient,
  errorOf,
  postForm,
  startServer,
  storeFactories,
  TOKEN_URL,
  tokenCount,
} from '../_harness.ts'
import type { GrantHandler, Issuance } from '../../src/oauth2/grants/index.ts'
import { InvalidGrant } from '../../src/protocol/errors.ts'
import { sharedServers } from './_oauth2.ts'

const CUSTOM = 'urn:gatehouse:test:custom'

function customGrant(decide: (params: ReadonlyMap<string, string>) => Issuance | Promise<Issuance>): GrantHandler & { seen: Map<string, string>[] } {
  const seen: Map<string, string>[] = []
  return {
    grantType: CUSTOM,
    params: ['subject'],
    clientAuth: 'required',
    seen,
    async handle(_ctx, req) {
      seen.push(new Map(req.params))
      return decide(req.params)
    },
  }
}

for (const factory of storeFactories()) {
  describe(`token endpoint (${factory.name})`, () => {
    const server = sharedServers(factory)
    it('refuses a missing grant_type with invalid_request', async () => {
      const s = await server()
      const client = await createClient(s)
      const res = await postForm(s.publicFetch, TOKEN_URL, { scope: 'x' }, { authorization: basic(client.client_id, client.client_secret) })
      const err = await errorOf(res)
      expect(err).toMatchObject({ status: 400, error: 'invalid_request' })
      expect(err.description).toContain('grant_type')
    })

    it('refuses an unknown grant_type with unsupported_grant_type', async () => {
      const s = await server()
      const client = await createClient(s)
      for (const grant_type of ['password', 'urn:example:nope']) {
        const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type }, { authorization: basic(client.client_id, client.client_secret) })
        expect(await errorOf(res)).toMatchObject({ status: 400, error: 'unsupported_grant_type' })
      }
    })

    it('refuses duplicate parameters with invalid_request', async () => {
      const s = await server()
      const client = await createClient(s, { scope: 'a b' })
      const res = await postForm(s.publicFetch, TOKEN_URL, 'grant_type=client_credentials&scope=a&scope=b', {
        authorization: basic(client.client_id, client.client_secret),
      })
      expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' })
      expect(await tokenCount(s, 'access_token', client.client_id)).toBe(0)
    })

    it('refuses other content types, garbage and oversize bodies with a 4xx', async () => {
      const s = await server()
      const client = await createClient(s)
      const auth = { authorization: basic(client.client_id, client.client_secret) }
      const asJson = await s.publicFetch(TOKEN_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ grant_type: 'client_credentials' }),
      })
      expect(await errorOf(asJson)).toMatchObject({ status: 400, error: 'invalid_request' })

      const garbage = await postForm(s.publicFetch, TOKEN_URL, '\u0000\u00ff%%%&&==', auth)
      expect(await errorOf(garbage)).toMatchObject({ status: 400, error: 'invalid_request' })
      const noise = await postForm(s.publicFetch, TOKEN_URL, '%%%&&==&grant', auth)
      expect(await errorOf(noise)).toMatchObject({ status: 400, error: 'invalid_request' })

      const big = await postForm(s.publicFetch, TOKEN_URL, `grant_type=client_credentials&scope=${'a'.repeat(2 << 20)}`, auth)
      expect(await errorOf(big)).toMatchObject({ status: 413, error: 'payload_too_large' })
      expect(await tokenCount(s, 'access_token', client.client_id)).toBe(0)
    })

    it('lists the registered grant types and runs a registered custom grant', async () => {
      const s = await startServer(factory)
      const builtIn = s.ctx.grants.types()
      expect(builtIn).toContain('client_credentials')
      expect(builtIn).not.toContain(CUSTOM)
      const grant = customGrant((params) => ({
        subject: params.get('subject') ?? 'nobody',
        grantedScope: ['x'],
        grantedAudience: [],
        accessTokenClaims: { tenant: 't1' },
        refresh: true,
      }))
      s.ctx.grants.register(grant)
      expect(s.ctx.grants.types()).toEqual([...builtIn, CUSTOM])
      expect(() => s.ctx.grants.register(grant)).toThrow(TypeError)

      const client = await createClient(s, { grant_types: [CUSTOM] })
      const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: CUSTOM, subject: 'alice', scope: 'smuggled', extra: 'dropped' }, {
        authorization: basic(client.client_id, client.client_secret),
      })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { access_token: string; refresh_token: string }
      expect(body.refresh_token).toMatch(/^ory_rt_/)
      // Parameters the grant did not declare never reach it.
      expect([...grant.seen[0]!.keys()].sort()).toEqual(['grant_type', 'subject'])
      const { data } = await s.hydra.oauth2.introspectOAuth2Token({ token: body.access_token })
      expect(data).toMatchObject({ active: true, sub: 'alice', client_id: client.client_id, scope: 'x', ext: { tenant: 't1' } })

      // Another app has its own registry.
      const other = await startServer(factory)
      expect(other.ctx.grants.types()).toEqual(builtIn)
    })

    it('passes a grant’s OAuthError through and issues nothing', async () => {
      const s = await startServer(factory)
      s.ctx.grants.register(customGrant(() => {
        throw InvalidGrant.with({ hint: 'No.' })
      }))
      const client = await createClient(s, { grant_types: [CUSTOM] })
      const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: CUSTOM }, { authorization: basic(client.client_id, client.client_secret) })
      expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_grant' })
      expect(await s.store.tokens.count('access_token')).toBe(0)
    })

    it('fails closed when a grant decides nothing', async () => {
      const s = await startServer(factory)
      s.ctx.grants.register(customGrant(() => ({ subject: '', grantedScope: [], grantedAudience: [], refresh: false })))
      const client = await createClient(s, { grant_types: [CUSTOM] })
      const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: CUSTOM }, { authorization: basic(client.client_id, client.client_secret) })
      expect(await errorOf(res)).toMatchObject({ status: 500, error: 'server_error' })
      expect(await s.store.tokens.count('access_token')).toBe(0)
      expect(await s.store.tokens.count('refresh_token')).toBe(0)
    })

    it('checks that a client may use a custom grant before calling it', async () => {
      const s = await startServer(factory)
      const grant = customGrant(() => ({ subject: 'a', grantedScope: [], grantedAudience: [], refresh: false }))
      s.ctx.grants.register(grant)
      const client = await createClient(s)
      const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: CUSTOM }, { authorization: basic(client.client_id, client.client_secret) })
      expect(await errorOf(res)).toMatchObject({ status: 400, error: 'unauthorized_client' })
      expect(grant.seen).toHaveLength(0)
    })
  })
}
