import { describe, expect, it } from 'bun:test'
import {
  basic,
  createClient,
  errorOf,
  INTROSPECT_URL,
  ISSUER,
  postForm,
  REVOKE_URL,
  storeFactories,
} from '../_harness.ts'
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { issueTokens } from '../../src/oauth2/issue.ts'
import { openSession, sealSession } from '../../src/oauth2/tokens/session.ts'
import { signingInputDigest } from '../../src/oauth2/tokens/jwt.ts'
import { signJwt } from '../../src/keys/sign_jwt.ts'
import { clientCredentials, sharedServers, signatureOf } from './_oauth2.ts'

for (const factory of storeFactories()) {
  describe(`introspection (${factory.name})`, () => {
    const server = sharedServers(factory)
    it('describes an active opaque access token with Hydra’s fields', async () => {
      const s = await server()
      const client = await createClient(s, { scope: 'read write', audience: ['https://api.test'] })
      const { access_token } = await clientCredentials(s, client, { scope: 'read', audience: 'https://api.test' })
      const { data } = await s.hydra.oauth2.introspectOAuth2Token({ token: access_token })
      const now = Math.floor(s.clock() / 1000)
      expect(data).toEqual({
        active: true,
        scope: 'read',
        client_id: client.client_id,
        sub: client.client_id,
        exp: now + 3600,
        iat: now,
        nbf: now,
        aud: ['https://api.test'],
        iss: ISSUER,
        token_type: 'Bearer',
        token_use: 'access_token',
      })
    })

    it('still finds a token minted before tokens carried their minting time, stored by its bare HMAC', async () => {
      const s = await server()
      const client = await createClient(s)
      const { access_token } = await clientCredentials(s, client)
      const row = (await s.store.tokens.get('access_token', signatureOf(s, access_token)))!
      const random = randomBytes(32)
      const key = createHash('sha256').update(s.ctx.config.secrets.system[0]!).digest()
      const mac = createHmac('sha512-256', key).update(random).digest('base64url')
      const session = openSession(s.ctx, 'access_token', row.signature, row.session_data)!
      await s.store.tokens.insertAll([['access_token', { ...row, request_id: crypto.randomUUID(), signature: mac, session_data: sealSession(s.ctx, 'access_token', mac, session) }]])
      const untimed = `ory_at_${random.toString('base64url')}.${mac}`
      const { data } = await s.hydra.oauth2.introspectOAuth2Token({ token: untimed })
      expect(data).toMatchObject({ active: true, client_id: client.client_id, sub: client.client_id })
      expect((await postForm(s.publicFetch, REVOKE_URL, { token: untimed }, { authorization: basic(client.client_id, client.client_secret) })).status).toBe(200)
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: untimed })).data).toEqual({ active: false })
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: access_token })).data.active).toBe(true)
    })

    it('introspects JWT access tokens, and not once their payload is altered', async () => {
      const s = await server({ 'strategies.access_token': 'jwt' })
      const client = await createClient(s, { scope: 'read' })
      const { access_token } = await clientCredentials(s, client, { scope: 'read' })
      const { data } = await s.hydra.oauth2.introspectOAuth2Token({ token: access_token })
      expect(data).toMatchObject({ active: true, client_id: client.client_id, scope: 'read', token_use: 'access_token' })

      const [header, payload, signature] = access_token.split('.')
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, scp: ['admin'] })).toString('base64url')}.${signature}`
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: forged })).data).toEqual({ active: false })
    })

    it('keys JWT access tokens by the minting time of their UUIDv7 jti, and still finds those keyed by the bare JWS signature', async () => {
      const s = await server({ 'strategies.access_token': 'jwt' })
      const client = await createClient(s, { scope: 'read' })
      const { access_token } = await clientCredentials(s, client, { scope: 'read' })
      const [, payload, jwsSignature] = access_token.split('.')
      const { jti } = JSON.parse(Buffer.from(payload!, 'base64url').toString())
      expect(jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      const mintedAt = s.clock().toString(16).padStart(12, '0')
      expect(jti.replace('-', '').slice(0, 12)).toBe(mintedAt)
      const row = (await s.store.tokens.get('access_token', mintedAt + jwsSignature))!
      expect(row.client_id).toBe(client.client_id)

      // A JWT minted with a random (v4) jti was stored under its bare JWS signature.
      const session = openSession(s.ctx, 'access_token', row.signature, row.session_data)!
      const key = await s.ctx.keys.signingKey('hydra.jwt.access-token')
      const legacy = await signJwt({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), jti: crypto.randomUUID() }, key, 'at+jwt')
      const legacySignature = legacy.split('.')[2]!
      const legacySession = { ...session, jwt_digest: signingInputDigest(legacy.slice(0, legacy.lastIndexOf('.'))) }
      await s.store.tokens.insertAll([
        ['access_token', { ...row, request_id: crypto.randomUUID(), signature: legacySignature, session_data: sealSession(s.ctx, 'access_token', legacySignature, legacySession) }],
      ])
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: legacy })).data).toMatchObject({ active: true, client_id: client.client_id })
    })

    it('answers {active: false} for expired, revoked, unknown and garbage tokens', async () => {
      const s = await server()
      const client = await createClient(s)
      const a = await clientCredentials(s, client)
      const b = await clientCredentials(s, client)
      await postForm(s.publicFetch, REVOKE_URL, { token: b.access_token }, { authorization: basic(client.client_id, client.client_secret) })
      s.clock.advance(3600_000 - 1000)
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: a.access_token })).data.active).toBe(true)
      s.clock.advance(1000)
      const forgedSignature = a.access_token.replace(/\.[^.]{4}/, '.AAAA')
      for (const token of [
        a.access_token,
        b.access_token,
        forgedSignature,
        `ory_at_${'A'.repeat(43)}.${'B'.repeat(43)}`,
        'garbage',
        'a.b.c',
        '\u00ff\u00fe',
      ]) {
        const res = await postForm(s.adminFetch, INTROSPECT_URL, { token })
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual({ active: false })
      }
    })

    it('requires every scope of the scope parameter, per the scope strategy', async () => {
      const s = await server()
      const client = await createClient(s, { scope: 'read write foo.*' })
      const { access_token } = await clientCredentials(s, client, { scope: 'read foo.*' })
      const active = async (scope: string) => (await s.hydra.oauth2.introspectOAuth2Token({ token: access_token, scope })).data.active
      expect(await active('read')).toBe(true)
      expect(await active('read foo.bar')).toBe(true)
      expect(await active('write')).toBe(false)
      expect(await active('read write')).toBe(false)

      const exact = await server({ 'strategies.scope': 'exact' })
      const c2 = await createClient(exact, { scope: 'foo.*' })
      const t2 = await clientCredentials(exact, c2, { scope: 'foo.*' })
      expect((await exact.hydra.oauth2.introspectOAuth2Token({ token: t2.access_token, scope: 'foo.bar' })).data.active).toBe(false)
    })

    it('introspects refresh tokens with token_use refresh_token and the session’s ext', async () => {
      const s = await server()
      const client = await createClient(s, { grant_types: ['client_credentials', 'refresh_token'] })
      const record = (await s.ctx.clients.get(client.client_id))!
      const minted = await issueTokens(s.ctx, 'refresh_token', record.client, {
        subject: 'alice',
        grantedScope: ['offline'],
        grantedAudience: [],
        accessTokenClaims: { role: 'admin' },
        refresh: true,
      })
      const { data } = await s.hydra.oauth2.introspectOAuth2Token({ token: minted.refresh_token! })
      const now = Math.floor(s.clock() / 1000)
      expect(data).toMatchObject({
        active: true,
        sub: 'alice',
        client_id: client.client_id,
        scope: 'offline',
        token_use: 'refresh_token',
        exp: now + 720 * 3600,
        ext: { role: 'admin' },
      })
      const access = await s.hydra.oauth2.introspectOAuth2Token({ token: minted.access_token, scope: 'offline' })
      expect(access.data).toMatchObject({ active: true, token_use: 'access_token', ext: { role: 'admin' } })
    })

    it('needs no client authentication but a token parameter and a form body', async () => {
      const s = await server()
      expect(await errorOf(await postForm(s.adminFetch, INTROSPECT_URL, { scope: 'x' }))).toMatchObject({ status: 400, error: 'invalid_request' })
      const asJson = await s.adminFetch(INTROSPECT_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"x"}' })
      expect(await errorOf(asJson)).toMatchObject({ status: 400, error: 'invalid_request' })
      expect(await errorOf(await postForm(s.adminFetch, INTROSPECT_URL, 'token=a&token=b'))).toMatchObject({ status: 400, error: 'invalid_request' })
      // The admin prefix rewrite applies.
      const bare = await postForm(s.adminFetch, 'http://localhost/oauth2/introspect', { token: 'x' })
      expect(await bare.json()).toEqual({ active: false })
    })
  })
}
