import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import {
  AS,
  basic,
  createClient,
  errorOf,
  postForm,
  storeFactories,
  TOKEN_URL,
  tokenCount,
  via,
} from '../../_harness.ts'
import { sharedServers } from '../_oauth2.ts'

const CC = { grant_type: 'client_credentials' }

for (const factory of storeFactories()) {
  describe(`client authentication at the token endpoint (${factory.name})`, () => {
    const server = sharedServers(factory)
    it('refuses a wrong secret with 401 invalid_client and a Basic challenge, issuing nothing', async () => {
      const s = await server()
      const client = await createClient(s)
      const res = await postForm(s.publicFetch, TOKEN_URL, CC, { authorization: basic(client.client_id, 'not-the-secret') })
      expect(res.headers.get('www-authenticate')).toStartWith('Basic realm=')
      expect(await errorOf(res)).toMatchObject({ status: 401, error: 'invalid_client' })
      expect(await tokenCount(s, 'access_token', client.client_id)).toBe(0)
    })

    it('answers an unknown client exactly like a wrong secret', async () => {
      const s = await server()
      const client = await createClient(s)
      const wrong = await errorOf(await postForm(s.publicFetch, TOKEN_URL, CC, { authorization: basic(client.client_id, 'nope') }))
      const unknown = await errorOf(await postForm(s.publicFetch, TOKEN_URL, CC, { authorization: basic('no-such-client', 'nope') }))
      expect(unknown).toEqual(wrong)
      expect(unknown).toMatchObject({ status: 401, error: 'invalid_client' })
    })

    it('answers oauth4webapi with a challenge it recognises', async () => {
      const s = await server()
      const client = await createClient(s)
      const res = await oauth.clientCredentialsGrantRequest(AS, { client_id: client.client_id }, oauth.ClientSecretBasic('bad'), {}, via(s))
      const err = await oauth.processClientCredentialsResponse(AS, { client_id: client.client_id }, res).catch((e) => e)
      // A 401 carries a WWW-Authenticate challenge, which oauth4webapi reports as such, with the response.
      expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
      expect(err.cause[0]).toMatchObject({ scheme: 'basic' })
      expect(await errorOf(err.response)).toMatchObject({ status: 401, error: 'invalid_client' })
    })

    it('decodes form-encoded Basic credentials (RFC 6749 §2.3.1)', async () => {
      const s = await server()
      const secret = 'sp ce:colon+plus%pct/é'
      const client = await createClient(s, { client_secret: secret })
      const res = await postForm(s.publicFetch, TOKEN_URL, CC, { authorization: basic(client.client_id, secret) })
      expect(res.status).toBe(200)
      // The raw (not form-encoded) secret has a '+' that decodes to a space and a bare '%': refused.
      const raw = `Basic ${btoa(unescape(encodeURIComponent(`${client.client_id}:${secret}`)))}`
      expect(await errorOf(await postForm(s.publicFetch, TOKEN_URL, CC, { authorization: raw }))).toMatchObject({
        status: 401,
        error: 'invalid_client',
      })
    })

    for (const [name, header] of [
      ['no credentials', 'Basic'],
      ['not base64', 'Basic %%%%'],
      ['no colon', `Basic ${btoa('just-an-id')}`],
      ['an empty client id', `Basic ${btoa(':secret')}`],
      ['bad percent-encoding', `Basic ${btoa('id%zz:secret')}`],
    ] as const) {
      it(`refuses a malformed Basic header (${name}) with 401 invalid_client`, async () => {
        const s = await server()
        const res = await postForm(s.publicFetch, TOKEN_URL, CC, { authorization: header })
        expect(res.headers.get('www-authenticate')).toStartWith('Basic realm=')
        expect(await errorOf(res)).toMatchObject({ status: 401, error: 'invalid_client' })
      })
    }

    it('refuses a request without client credentials with 401 invalid_client', async () => {
      const s = await server()
      const res = await postForm(s.publicFetch, TOKEN_URL, CC)
      expect(res.headers.get('www-authenticate')).toStartWith('Basic realm=')
      expect(await errorOf(res)).toMatchObject({ status: 401, error: 'invalid_client' })
    })

    it('enforces the registered method, naming both in the hint', async () => {
      const s = await server()
      const basicClient = await createClient(s)
      const posted = await postForm(s.publicFetch, TOKEN_URL, { ...CC, client_id: basicClient.client_id, client_secret: basicClient.client_secret })
      const err = await errorOf(posted)
      expect(err).toMatchObject({ status: 401, error: 'invalid_client' })
      expect(err.description).toContain('"client_secret_basic"')
      expect(err.description).toContain('"client_secret_post"')
      expect(posted.headers.get('www-authenticate')).toStartWith('Basic realm=')

      const postClient = await createClient(s, { token_endpoint_auth_method: 'client_secret_post' })
      const viaBasic = await errorOf(await postForm(s.publicFetch, TOKEN_URL, CC, { authorization: basic(postClient.client_id, postClient.client_secret) }))
      expect(viaBasic).toMatchObject({ status: 401, error: 'invalid_client' })
      expect(viaBasic.description).toContain('"client_secret_post"')
      expect(viaBasic.description).toContain('"client_secret_basic"')

      // A confidential client cannot pass as public by sending only its client_id.
      const idOnly = await errorOf(await postForm(s.publicFetch, TOKEN_URL, { ...CC, client_id: basicClient.client_id }))
      expect(idOnly).toMatchObject({ status: 401, error: 'invalid_client' })
      expect(idOnly.description).toContain('"none"')
    })

    it('refuses two authentication methods at once with 400 invalid_request', async () => {
      const s = await server()
      const client = await createClient(s)
      const res = await postForm(s.publicFetch, TOKEN_URL, { ...CC, client_id: client.client_id, client_secret: client.client_secret }, {
        authorization: basic(client.client_id, client.client_secret),
      })
      const err = await errorOf(res)
      expect(err).toMatchObject({ status: 400, error: 'invalid_request' })
      expect(err.description).toContain('client_secret_basic')
      expect(err.description).toContain('client_secret_post')
      expect(await tokenCount(s, 'access_token', client.client_id)).toBe(0)
    })

    it('refuses a client_id parameter that contradicts the Basic credentials', async () => {
      const s = await server()
      const client = await createClient(s)
      const other = await createClient(s)
      const res = await postForm(s.publicFetch, TOKEN_URL, { ...CC, client_id: other.client_id }, {
        authorization: basic(client.client_id, client.client_secret),
      })
      expect(await errorOf(res)).toMatchObject({ status: 401, error: 'invalid_client' })
    })

    it('accepts both the new and the rotated secret', async () => {
      const s = await server()
      const client = await createClient(s)
      const rotated = (await (await s.adminFetch(`http://localhost/admin/clients/${client.client_id}/secrets/rotate`, { method: 'POST' })).json()) as { client_secret: string }
      expect(rotated.client_secret).toBeString()
      for (const secret of [client.client_secret, rotated.client_secret]) {
        expect((await postForm(s.publicFetch, TOKEN_URL, CC, { authorization: basic(client.client_id, secret) })).status).toBe(200)
      }
    })
  })
}
