import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import {
  AS,
  basic,
  createClient,
  errorOf,
  ISSUER,
  postForm,
  storeFactories,
  TOKEN_URL,
  tokenCount,
  via,
} from '../../_harness.ts'
import { clientCredentials, sharedServers } from '../_oauth2.ts'

for (const factory of storeFactories()) {
  describe(`client_credentials grant (${factory.name})`, () => {
    const server = sharedServers(factory)
    it('issues an opaque bearer token over client_secret_basic, uncacheable, without a refresh token', async () => {
      const s = await server()
      const client = await createClient(s, { scope: 'read write' })
      const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials', scope: 'read' }, {
        authorization: basic(client.client_id, client.client_secret),
      })
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(res.headers.get('pragma')).toBe('no-cache')
      const body = (await res.json()) as Record<string, unknown>
      expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600, scope: 'read' })
      expect(body.access_token as string).toMatch(/^ory_at_[A-Za-z0-9_-]{51}\.[A-Za-z0-9_-]{43}$/)
    })

    it('works with oauth4webapi over client_secret_basic and client_secret_post', async () => {
      const s = await server()
      const basicClient = await createClient(s, { scope: 'read' })
      const tokens = await clientCredentials(s, basicClient, { scope: 'read' })
      expect(tokens.token_type).toBe('bearer')
      expect(tokens.scope).toBe('read')
      expect(tokens.refresh_token).toBeUndefined()

      const postClient = await createClient(s, { scope: 'read', token_endpoint_auth_method: 'client_secret_post' })
      const res = await oauth.clientCredentialsGrantRequest(
        AS,
        { client_id: postClient.client_id },
        oauth.ClientSecretPost(postClient.client_secret),
        { scope: 'read' },
        via(s),
      )
      const posted = await oauth.processClientCredentialsResponse(AS, { client_id: postClient.client_id }, res)
      expect(posted.access_token).toStartWith('ory_at_')
    })

    it('grants nothing when no scope is requested, unless default_grant_allowed_scope', async () => {
      const s = await server()
      const client = await createClient(s, { scope: 'read write' })
      expect((await clientCredentials(s, client)).scope).toBe('')

      const d = await server({ 'oauth2.client_credentials.default_grant_allowed_scope': true })
      const other = await createClient(d, { scope: 'read write' })
      expect((await clientCredentials(d, other)).scope).toBe('read write')
    })

    describe('scope strategies', () => {
      const cases: [strategy: 'wildcard' | 'exact', allowed: string, requested: string, ok: boolean][] = [
        ['wildcard', 'foo.*', 'foo.bar', true],
        ['wildcard', 'foo.*', 'foo.bar.baz', true],
        ['wildcard', 'foo.*', 'foo', false],
        ['wildcard', 'foo.*', 'foobar', false],
        ['wildcard', 'foo.*', 'foo.', false],
        ['wildcard', 'foo', 'foo.bar', false],
        ['wildcard', 'foo.*.baz', 'foo.bar.baz', true],
        ['wildcard', 'foo bar', 'bar', true],
        ['wildcard', 'foo', 'baz', false],
        ['exact', 'foo.*', 'foo.bar', false],
        ['exact', 'foo.*', 'foo.*', true],
        ['exact', 'foo', 'foo', true],
        ['exact', 'foo', 'foobar', false],
      ]
      for (const [strategy, allowed, requested, ok] of cases) {
        it(`${strategy}: "${allowed}" ${ok ? 'allows' : 'refuses'} "${requested}"`, async () => {
          const s = await server({ 'strategies.scope': strategy })
          const client = await createClient(s, { scope: allowed })
          const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials', scope: requested }, {
            authorization: basic(client.client_id, client.client_secret),
          })
          if (ok) {
            expect(res.status).toBe(200)
            expect(((await res.json()) as { scope: string }).scope).toBe(requested)
          } else {
            const err = await errorOf(res)
            expect(err).toMatchObject({ status: 400, error: 'invalid_scope' })
            expect(err.description).toContain(`"${requested}"`)
            expect(await tokenCount(s, 'access_token', client.client_id)).toBe(0)
          }
        })
      }

      it('refuses a malformed scope token with invalid_scope', async () => {
        const s = await server()
        const client = await createClient(s, { scope: 'read' })
        const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials', scope: 'read "quoted"' }, {
          authorization: basic(client.client_id, client.client_secret),
        })
        expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_scope' })
      })
    })

    describe('audience', () => {
      const allowed = ['https://api.test/v1', 'https://other.test']
      const cases: [requested: string, ok: boolean][] = [
        ['https://api.test/v1', true],
        ['https://api.test/v1/users', true],
        ['https://api.test/v1 https://other.test/anything', true],
        ['https://api.test/v2', false],
        ['https://api.test/v10', false],
        ['http://api.test/v1', false],
        ['https://evil.test/v1', false],
        ['https://api.test/v1 https://evil.test', false],
      ]
      for (const [requested, ok] of cases) {
        it(`${ok ? 'grants' : 'refuses'} "${requested}"`, async () => {
          const s = await server()
          const client = await createClient(s, { audience: allowed })
          const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials', audience: requested }, {
            authorization: basic(client.client_id, client.client_secret),
          })
          if (ok) {
            expect(res.status).toBe(200)
            const { data } = await s.hydra.oauth2.introspectOAuth2Token({ token: ((await res.json()) as { access_token: string }).access_token })
            expect(data.aud).toEqual(requested.split(' '))
          } else {
            const err = await errorOf(res)
            expect(err).toMatchObject({ status: 400, error: 'invalid_request' })
            expect(err.description).toContain('has not been whitelisted by the OAuth 2.0 Client')
            expect(await tokenCount(s, 'access_token', client.client_id)).toBe(0)
          }
        })
      }
    })

    it('refuses a client without the grant type with unauthorized_client', async () => {
      const s = await server()
      const client = await createClient(s, { grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: ['https://app.test/cb'] })
      const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials' }, {
        authorization: basic(client.client_id, client.client_secret),
      })
      expect(await errorOf(res)).toMatchObject({ status: 400, error: 'unauthorized_client' })
    })

    it('refuses public clients', async () => {
      const s = await server()
      const { data: pub } = await s.hydra.oauth2.createOAuth2Client({
        oAuth2Client: { grant_types: ['authorization_code'], redirect_uris: ['https://app.test/cb'], token_endpoint_auth_method: 'none' },
      })
      const viaAdmin = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials', client_id: pub.client_id! })
      expect(await errorOf(viaAdmin)).toMatchObject({ status: 400, error: 'unauthorized_client' })

      // A stored public client that somehow carries the grant (e.g. imported) is refused by the grant itself.
      const row = (await s.store.clients.get(pub.client_id!))!
      await s.store.clients.update({ ...row, data: { ...row.data, grant_types: ['client_credentials'] } })
      s.ctx.clients.invalidate(pub.client_id!)
      const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: 'client_credentials', client_id: pub.client_id! })
      const err = await errorOf(res)
      expect(err).toMatchObject({ status: 400, error: 'unauthorized_client' })
      expect(err.description).toContain('public')
      expect(await tokenCount(s, 'access_token', pub.client_id!)).toBe(0)
    })

    it('uses the client’s client_credentials lifespan over ttl.access_token', async () => {
      const s = await server({ 'ttl.access_token': '2h' })
      const client = await createClient(s)
      expect((await clientCredentials(s, client)).expires_in).toBe(7200)
      await s.hydra.oauth2.setOAuth2ClientLifespans({
        id: client.client_id,
        oAuth2ClientTokenLifespans: { client_credentials_grant_access_token_lifespan: '15m' },
      })
      const short = await clientCredentials(s, client)
      expect(short.expires_in).toBe(900)
      const { data } = await s.hydra.oauth2.introspectOAuth2Token({ token: short.access_token })
      expect(data.exp! - data.iat!).toBe(900)
    })

    it('issues RFC 9068 JWT access tokens that verify against the published JWKS', async () => {
      const s = await server({ 'strategies.access_token': 'jwt' })
      const client = await createClient(s, { scope: 'read write', audience: ['https://api.test'] })
      const tokens = await clientCredentials(s, client, { scope: 'read write', audience: 'https://api.test/x' })
      expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ typ: 'at+jwt', kid: expect.any(String) })
      const jwks = (await (await s.publicFetch('http://localhost/.well-known/jwks.json')).json()) as JSONWebKeySet
      const { payload } = await jwtVerify(tokens.access_token, createLocalJWKSet(jwks), {
        typ: 'at+jwt',
        issuer: ISSUER,
        audience: 'https://api.test/x',
        currentDate: new Date(s.clock()),
      })
      const now = Math.floor(s.clock() / 1000)
      expect(payload).toEqual({
        iss: ISSUER,
        sub: client.client_id,
        aud: ['https://api.test/x'],
        exp: now + 3600,
        iat: now,
        nbf: now,
        jti: expect.any(String),
        client_id: client.client_id,
        scp: ['read', 'write'],
      })
    })

    it('follows strategies.jwt.scope_claim and oauth2.exclude_not_before_claim', async () => {
      for (const [mode, expected] of [
        ['string', { scope: 'read write' }],
        ['both', { scope: 'read write', scp: ['read', 'write'] }],
      ] as const) {
        const s = await server({
          'strategies.access_token': 'jwt',
          'strategies.jwt.scope_claim': mode,
          'oauth2.exclude_not_before_claim': true,
        })
        const client = await createClient(s, { scope: 'read write' })
        const { payload } = await jwtVerify(
          (await clientCredentials(s, client, { scope: 'read write' })).access_token,
          createLocalJWKSet((await (await s.publicFetch('http://localhost/.well-known/jwks.json')).json()) as JSONWebKeySet),
          { currentDate: new Date(s.clock()) },
        )
        expect(payload).toMatchObject(expected)
        expect(payload.nbf).toBeUndefined()
        if (mode === 'string') expect(payload.scp).toBeUndefined()
      }
    })

    it('lets a client choose JWT access tokens with access_token_strategy', async () => {
      const s = await server()
      const jwtClient = await createClient(s, { access_token_strategy: 'jwt' })
      const opaqueClient = await createClient(s)
      expect((await clientCredentials(s, jwtClient)).access_token.split('.')).toHaveLength(3)
      expect((await clientCredentials(s, opaqueClient)).access_token).toStartWith('ory_at_')
    })
  })
}
