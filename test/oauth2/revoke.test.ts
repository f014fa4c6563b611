import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import { AS, basic, createClient, errorOf, postForm, REVOKE_URL, storeFactories, tokenCount, via } from '../_harness.ts'
import { issueTokens } from '../../src/oauth2/issue.ts'
import { clientCredentials, sharedServers } from './_oauth2.ts'

for (const factory of storeFactories()) {
  const server = sharedServers(factory)
  describe(`revocation (${factory.name})`, () => {
    it('revokes an access token through oauth4webapi', async () => {
      const s = await server()
      const client = await createClient(s)
      const { access_token } = await clientCredentials(s, client)
      const res = await oauth.revocationRequest(AS, { client_id: client.client_id }, oauth.ClientSecretBasic(client.client_secret), access_token, via(s))
      expect(res.headers.get('cache-control')).toBe('no-store')
      await oauth.processRevocationResponse(res)
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: access_token })).data).toEqual({ active: false })
    })

    it('revokes JWT access tokens', async () => {
      const s = await server({ 'strategies.access_token': 'jwt' })
      const client = await createClient(s)
      const { access_token } = await clientCredentials(s, client)
      const res = await postForm(s.publicFetch, REVOKE_URL, { token: access_token, token_type_hint: 'access_token' }, {
        authorization: basic(client.client_id, client.client_secret),
      })
      expect(res.status).toBe(200)
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: access_token })).data.active).toBe(false)
    })

    it('answers 200 for unknown tokens and treats token_type_hint as a hint only', async () => {
      const s = await server()
      const client = await createClient(s)
      const auth = { authorization: basic(client.client_id, client.client_secret) }
      for (const token of ['unknown', `ory_rt_${'A'.repeat(43)}.${'B'.repeat(43)}`]) {
        const res = await postForm(s.publicFetch, REVOKE_URL, { token }, auth)
        expect(res.status).toBe(200)
        expect(await res.text()).toBe('')
      }
      const { access_token } = await clientCredentials(s, client)
      const hinted = await postForm(s.publicFetch, REVOKE_URL, { token: access_token, token_type_hint: 'refresh_token' }, auth)
      expect(hinted.status).toBe(200)
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: access_token })).data.active).toBe(false)
    })

    it('does not revoke another client’s token', async () => {
      const s = await server()
      const owner = await createClient(s)
      const other = await createClient(s)
      const { access_token } = await clientCredentials(s, owner)
      const res = await postForm(s.publicFetch, REVOKE_URL, { token: access_token }, { authorization: basic(other.client_id, other.client_secret) })
      // Like fosite: answered as success, so the token's existence is not disclosed.
      expect(res.status).toBe(200)
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: access_token })).data.active).toBe(true)
    })

    it('revoking a refresh token revokes the access tokens of its family, and only those', async () => {
      const s = await server()
      const client = await createClient(s, { grant_types: ['client_credentials', 'refresh_token'] })
      const record = (await s.ctx.clients.get(client.client_id))!
      const issuance = { subject: 'alice', grantedScope: ['offline'], grantedAudience: [], refresh: true }
      const first = await issueTokens(s.ctx, 'refresh_token', record.client, { ...issuance, requestId: 'family-1' })
      const sibling = await issueTokens(s.ctx, 'refresh_token', record.client, { ...issuance, requestId: 'family-1' })
      const unrelated = await issueTokens(s.ctx, 'refresh_token', record.client, issuance)
      const res = await postForm(s.publicFetch, REVOKE_URL, { token: first.refresh_token!, token_type_hint: 'refresh_token' }, {
        authorization: basic(client.client_id, client.client_secret),
      })
      expect(res.status).toBe(200)
      const active = async (token: string) => (await s.hydra.oauth2.introspectOAuth2Token({ token })).data.active
      for (const token of [first.refresh_token!, first.access_token, sibling.access_token, sibling.refresh_token!]) {
        expect(await active(token)).toBe(false)
      }
      expect(await active(unrelated.access_token)).toBe(true)
      expect(await active(unrelated.refresh_token!)).toBe(true)
    })

    it('requires client authentication and a token', async () => {
      const s = await server()
      const client = await createClient(s)
      const { access_token } = await clientCredentials(s, client)
      const anonymous = await postForm(s.publicFetch, REVOKE_URL, { token: access_token })
      expect(await errorOf(anonymous)).toMatchObject({ status: 401, error: 'invalid_client' })
      const wrong = await postForm(s.publicFetch, REVOKE_URL, { token: access_token }, { authorization: basic(client.client_id, 'wrong') })
      expect(wrong.headers.get('www-authenticate')).toStartWith('Basic realm=')
      expect(await errorOf(wrong)).toMatchObject({ status: 401, error: 'invalid_client' })
      const missing = await postForm(s.publicFetch, REVOKE_URL, { token_type_hint: 'access_token' }, { authorization: basic(client.client_id, client.client_secret) })
      expect(await errorOf(missing)).toMatchObject({ status: 400, error: 'invalid_request' })
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: access_token })).data.active).toBe(true)
    })

    it('lets a public client revoke its own tokens with its client_id', async () => {
      const s = await server()
      const { data: pub } = await s.hydra.oauth2.createOAuth2Client({
        oAuth2Client: { grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://app.test/cb'], token_endpoint_auth_method: 'none' },
      })
      const record = (await s.ctx.clients.get(pub.client_id!))!
      const minted = await issueTokens(s.ctx, 'authorization_code', record.client, { subject: 'bob', grantedScope: [], grantedAudience: [], refresh: true })
      const res = await postForm(s.publicFetch, REVOKE_URL, { token: minted.refresh_token!, client_id: pub.client_id! })
      expect(res.status).toBe(200)
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: minted.access_token })).data.active).toBe(false)
    })
  })

  describe(`DELETE /admin/oauth2/tokens (${factory.name})`, () => {
    it('deletes every access token of one client', async () => {
      const s = await server()
      const a = await createClient(s)
      const b = await createClient(s)
      const a1 = await clientCredentials(s, a)
      const a2 = await clientCredentials(s, a)
      const b1 = await clientCredentials(s, b)
      const { status } = await s.hydra.oauth2.deleteOAuth2Token({ clientId: a.client_id })
      expect(status).toBe(204)
      for (const t of [a1, a2]) expect((await s.hydra.oauth2.introspectOAuth2Token({ token: t.access_token })).data.active).toBe(false)
      expect((await s.hydra.oauth2.introspectOAuth2Token({ token: b1.access_token })).data.active).toBe(true)
      expect(await tokenCount(s, 'access_token', a.client_id)).toBe(0)
      expect(await tokenCount(s, 'access_token', b.client_id)).toBe(1)
    })

    it('requires client_id', async () => {
      const s = await server()
      const res = await s.adminFetch('http://localhost/admin/oauth2/tokens', { method: 'DELETE' })
      expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' })
      const twice = await s.adminFetch('http://localhost/admin/oauth2/tokens?client_id=a&client_id=b', { method: 'DELETE' })
      expect(await errorOf(twice)).toMatchObject({ status: 400, error: 'invalid_request' })
    })
  })
}
