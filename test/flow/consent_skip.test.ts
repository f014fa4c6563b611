import { describe, expect, it } from 'bun:test'
import type { OAuth2Client } from '@ory/hydra-client'
import {
  acceptConsent,
  acceptLogin,
  authorizeUrl,
  Browser,
  challengeOf,
  createCodeClient,
  responseParams,
  runFlow,
  startFlowServer,
  storeFactories,
  type CodeClient,
  type FlowOptions,
  type TestServer,
} from '../_harness.ts'

const S256 = { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }

/** A browser with a remembered login for alice and a consent given with `consent` options. */
async function consented(s: TestServer, client: CodeClient, params: Record<string, string>, consent: FlowOptions['consent']) {
  const b = new Browser(s)
  await runFlow(s, b, authorizeUrl(client, params), { login: { remember: true }, consent })
  return b
}

/** The consent request the consent app sees for a new request in `b` (the login app accepting the skipped login). */
async function consentRequest(s: TestServer, b: Browser, url: string, subject = 'alice') {
  const consent = await acceptLogin(s, b, await b.open(url), { subject })
  const { data } = await s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challengeOf(consent, 'consent') })
  return { consent, data }
}

for (const factory of storeFactories()) {
  describe(`consent skip (${factory.name})`, () => {
    async function setup(client: OAuth2Client = {}) {
      const s = await startFlowServer(factory)
      return { s, client: await createCodeClient(s, { audience: ['https://api.test'], ...client }) }
    }

    it('skips a remembered consent that covers the request; the consent app still accepts, and a code follows', async () => {
      const { s, client } = await setup()
      const b = await consented(s, client, { scope: 'openid email' }, { remember: true })
      const { consent, data } = await consentRequest(s, b, authorizeUrl(client, { scope: 'openid' }))
      expect(data.skip).toBe(true)
      expect(responseParams(await acceptConsent(s, b, consent)).get('code')).toMatch(/^ory_ac_/)
    })

    it('does not skip a consent that was not remembered, or whose remember_for has run out', async () => {
      const { s, client } = await setup()
      const forgotten = await consented(s, client, {}, { remember: false })
      expect((await consentRequest(s, forgotten, authorizeUrl(client))).data.skip).toBe(false)
      const b = await consented(s, client, {}, { remember: true, remember_for: 60 })
      s.clock.advance(59_000)
      expect((await consentRequest(s, b, authorizeUrl(client))).data.skip).toBe(true)
      s.clock.advance(2_000)
      expect((await consentRequest(s, b, authorizeUrl(client))).data.skip).toBe(false)
    })

    it('does not skip for prompt=consent, nor for scopes or audiences beyond the remembered grant', async () => {
      const { s, client } = await setup()
      const b = await consented(s, client, { scope: 'openid', audience: 'https://api.test/v1' }, { remember: true })
      expect((await consentRequest(s, b, authorizeUrl(client, { prompt: 'consent' }))).data.skip).toBe(false)
      expect((await consentRequest(s, b, authorizeUrl(client, { scope: 'openid email' }))).data.skip).toBe(false)
      expect((await consentRequest(s, b, authorizeUrl(client, { audience: 'https://api.test' }))).data.skip).toBe(false)
      expect((await consentRequest(s, b, authorizeUrl(client, { audience: 'https://api.test/v1' }))).data.skip).toBe(true)
    })

    it('never skips for a public client whose redirect URI is neither https nor loopback', async () => {
      const { s, client } = await setup({ token_endpoint_auth_method: 'none', redirect_uris: ['com.example.app:/cb', 'http://127.0.0.1/cb'] })
      for (const [redirect, skip] of [
        ['com.example.app:/cb', false],
        ['http://127.0.0.1:4000/cb', true],
      ] as const) {
        const params = { redirect_uri: redirect, ...S256 }
        const b = await consented(s, client, params, { remember: true })
        expect((await consentRequest(s, b, authorizeUrl(client, params))).data.skip).toBe(skip)
      }
      const https = await setup({ token_endpoint_auth_method: 'none' })
      const b = await consented(https.s, https.client, S256, { remember: true })
      expect((await consentRequest(https.s, b, authorizeUrl(https.client, S256))).data.skip).toBe(true)
    })

    it('completes prompt=none when both login and consent are remembered', async () => {
      const { s, client } = await setup()
      const b = await consented(s, client, {}, { remember: true })
      const { consent, data } = await consentRequest(s, b, authorizeUrl(client, { prompt: 'none' }))
      expect(data.skip).toBe(true)
      expect(responseParams(await acceptConsent(s, b, consent)).get('code')).toMatch(/^ory_ac_/)
    })

    it('does not reuse the consent of another subject or client', async () => {
      const { s, client } = await setup()
      const other = await createCodeClient(s)
      const b = await consented(s, client, {}, { remember: true })
      expect((await consentRequest(s, b, authorizeUrl(other))).data.skip).toBe(false)
      const bob = new Browser(s)
      await runFlow(s, bob, authorizeUrl(client), { login: { subject: 'bob', remember: true } })
      expect((await consentRequest(s, bob, authorizeUrl(client), 'bob')).data.skip).toBe(false)
    })
  })
}
