import { beforeAll, describe, expect, it } from 'bun:test'
import type { JsonWebKey } from '@ory/hydra-client'
import * as oauth from 'oauth4webapi'
import {
  AS,
  basic,
  createClient,
  postForm,
  startServer,
  storeFactories,
  TOKEN_URL,
  via,
  type TestServer,
} from '../../_harness.ts'
import { seconds } from '../../../src/util/clock.ts'
import { assertion, CC, expectInvalidClient, expectToken, keyPair, secretSigner, tokenWith } from './_assertion.ts'

const SECRET = 'a-client-secret-of-at-least-32-bytes'

async function csjClient(s: TestServer, extra: Record<string, unknown> = {}) {
  const c = await createClient(s, { token_endpoint_auth_method: 'client_secret_jwt', client_secret: SECRET, ...extra })
  return c.client_id
}

/** Changes a stored client behind the admin API's back and drops it from the node's cache. */
async function editRow(s: TestServer, id: string, edit: (row: NonNullable<Awaited<ReturnType<TestServer['store']['clients']['get']>>>) => void) {
  const row = (await s.store.clients.get(id))!
  edit(row)
  await s.store.clients.update(row)
  s.ctx.clients.invalidate(id)
}

for (const factory of storeFactories()) {
  describe(`client_secret_jwt at the token endpoint (${factory.name})`, () => {
    // One server per store: every test registers its own clients.
    let s: TestServer
    beforeAll(async () => {
      s = await startServer(factory)
    })

    it('accepts an assertion MAC-protected with the client secret', async () => {
      const id = await csjClient(s)
      for (const alg of ['HS256', 'HS384', 'HS512']) await expectToken(await tokenWith(s, await assertion(s, id, secretSigner(SECRET, alg))))
    })

    it('works with oauth4webapi ClientSecretJwt', async () => {
      const id = await csjClient(s)
      const auth = oauth.ClientSecretJwt(SECRET, {
        // oauth4webapi reads the system clock; the server runs on the test clock.
        [oauth.modifyAssertion]: (_h: unknown, p: Record<string, unknown>) => {
          p.iat = p.nbf = seconds(s.clock())
          p.exp = seconds(s.clock()) + 60
        },
      })
      const res = await oauth.clientCredentialsGrantRequest(AS, { client_id: id }, auth, {}, via(s))
      expect((await oauth.processClientCredentialsResponse(AS, { client_id: id }, res)).token_type).toBe('bearer')
    })

    it('refuses a wrong secret, a replay and an algorithm other than the registered one', async () => {
      const id = await csjClient(s, { token_endpoint_auth_signing_alg: 'HS512' })
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, secretSigner(`${SECRET}x`, 'HS512'))), /signature is invalid/)
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, secretSigner(SECRET, 'HS256'))), /registered algorithm "HS512"/)
      const jwt = await assertion(s, id, secretSigner(SECRET, 'HS512'))
      await expectToken(await tokenWith(s, jwt))
      await expectInvalidClient(await tokenWith(s, jwt), /jti has already been used/)
    })

    it('refuses the claims checks shared with private_key_jwt', async () => {
      const id = await csjClient(s)
      const now = seconds(s.clock())
      const signer = secretSigner(SECRET)
      const before = await s.store.tokens.count('access_token')
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, signer, { aud: 'https://other.example' })), /claim "aud"/)
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, signer, { exp: now - 60, iat: now - 120 })), /expired/)
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, signer, { jti: undefined })), /claim "jti"/)
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, signer, { iss: 'x' })), /claim "iss"/)
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, signer, { exp: now + 7200 })), /more than 3600 seconds/)
      expect(await s.store.tokens.count('access_token')).toBe(before)
    })

    it('refuses a signed assertion and secret credentials for a client_secret_jwt client', async () => {
      const key = await keyPair('ES256', 'k1')
      const id = await csjClient(s, { jwks: { keys: [key.jwk as JsonWebKey] } })
      await expectInvalidClient(
        await tokenWith(s, await assertion(s, id, key)),
        /supports client authentication method "client_secret_jwt", but method "private_key_jwt"/,
      )
      await expectInvalidClient(
        await postForm(s.publicFetch, TOKEN_URL, CC, { authorization: basic(id, SECRET) }),
        /supports client authentication method "client_secret_jwt", but method "client_secret_basic"/,
      )
    })

    it('refuses an HMAC assertion from a client registered for client_secret_basic', async () => {
      const id = (await createClient(s, { client_secret: SECRET })).client_id
      await expectInvalidClient(
        await tokenWith(s, await assertion(s, id, secretSigner(SECRET))),
        /supports client authentication method "client_secret_basic", but method "client_secret_jwt"/,
      )
    })

    it('follows a secret change made through the admin API', async () => {
      const id = await csjClient(s)
      const { data } = await s.hydra.oauth2.getOAuth2Client({ id })
      const next = 'another-client-secret-of-32-bytes!!'
      await s.hydra.oauth2.setOAuth2Client({ id, oAuth2Client: { ...data, client_secret: next } })
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, secretSigner(SECRET))), /signature is invalid/)
      await expectToken(await tokenWith(s, await assertion(s, id, secretSigner(next))))
    })

    it('does not open a sealed secret moved to another client', async () => {
      const a = await csjClient(s)
      const b = (await createClient(s, { token_endpoint_auth_method: 'client_secret_jwt' })).client_id
      const sealedA = (await s.store.clients.get(a))!.secret_sealed
      await editRow(s, b, (row) => {
        row.secret_sealed = sealedA
      })
      await expectInvalidClient(await tokenWith(s, await assertion(s, b, secretSigner(SECRET))), /no secret usable for client_secret_jwt/)
      await editRow(s, b, (row) => {
        row.secret_sealed = null
      })
      await expectInvalidClient(await tokenWith(s, await assertion(s, b, secretSigner(SECRET))), /no secret usable for client_secret_jwt/)
    })

    it('refuses a secret past client_secret_expires_at', async () => {
      const id = await csjClient(s)
      await editRow(s, id, (row) => {
        row.data = { ...row.data, client_secret_expires_at: seconds(s.clock()) - 1 }
      })
      await expectInvalidClient(await tokenWith(s, await assertion(s, id, secretSigner(SECRET))), /client secret has expired/)
    })
  })
}
