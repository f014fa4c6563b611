import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import * as openid from 'openid-client'
import { loadConfig } from '../../src/config/load.ts'
import { normalizeUserCode, userCodeSignature } from '../../src/oauth2/tokens/user_code.ts'
import {
  basic,
  createClient,
  createDeviceClient,
  DEVICE_AS,
  DEVICE_AUTH_URL,
  DEVICE_GRANT,
  expectError,
  ISSUER,
  local,
  postForm,
  publicOAuth2Api,
  requestDeviceCodes,
  rp,
  startDeviceServer,
  storeFactories,
  TEST_SECRET,
  via,
  type TestServer,
} from '../_harness.ts'
import { signatureOf } from './_oauth2.ts'

const HIGH = /^[abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679]{8}$/

/** Every stored column of every device authorization, as text. */
async function storedText(s: TestServer): Promise<string> {
  return JSON.stringify(await s.store.driver.all('SELECT * FROM device_codes'))
}

for (const factory of storeFactories()) {
  describe(`device authorization endpoint (${factory.name})`, () => {
    it('answers RFC 8628 §3.2 codes that oauth4webapi accepts, and stores them only by signature', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const res = await oauth.deviceAuthorizationRequest(DEVICE_AS, rp(s, client), oauth.ClientSecretBasic(client.client_secret), { scope: 'openid offline', audience: 'https://api.test/v1' }, via(s))
      expect(res.headers.get('cache-control')).toBe('no-store')
      const codes = await oauth.processDeviceAuthorizationResponse(DEVICE_AS, rp(s, client), res)
      expect(codes.device_code).toMatch(/^ory_dc_[A-Za-z0-9_-]{51}\.[A-Za-z0-9_-]{43}$/)
      expect(codes.user_code).toMatch(HIGH)
      expect(codes).toMatchObject({
        verification_uri: `${ISSUER}/oauth2/device/verify`,
        verification_uri_complete: `${ISSUER}/oauth2/device/verify?user_code=${codes.user_code}`,
        expires_in: 600,
        interval: 5,
      })

      const row = await s.store.devices.get(signatureOf(s, codes.device_code))
      expect(row).toMatchObject({
        client_id: client.client_id,
        requested_scope: ['openid', 'offline'],
        requested_audience: ['https://api.test/v1'],
        user_code_state: 'pending',
        user_code_signature: userCodeSignature(TEST_SECRET, codes.user_code),
        poll_interval: 5000,
        expires_at: s.clock() + 600_000,
      })
      const stored = await storedText(s)
      expect(stored).not.toContain(codes.user_code)
      expect(stored).not.toContain(normalizeUserCode(codes.user_code))
      expect(stored).not.toContain(codes.device_code.slice('ory_dc_'.length))
    })

    it('lets a public client name itself with client_id alone, and refuses a confidential one that does', async () => {
      const s = await startDeviceServer(factory)
      const publicClient = await createDeviceClient(s, { token_endpoint_auth_method: 'none' })
      expect((await requestDeviceCodes(s, publicClient)).device_code).toStartWith('ory_dc_')
      const confidential = await createDeviceClient(s)
      const res = await postForm(s.publicFetch, DEVICE_AUTH_URL, { client_id: confidential.client_id, scope: 'openid' })
      await expectError(res, 401, 'invalid_client', /client_secret_basic/)
      expect(res.headers.get('www-authenticate')).toStartWith('Basic')
    })

    it('is found and used by openid-client through discovery', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const config = await openid.discovery(new URL(ISSUER), client.client_id, undefined, openid.ClientSecretBasic(client.client_secret), {
        [openid.customFetch]: (url: string, init: RequestInit) => s.publicFetch(local(url), init),
      })
      const codes = await openid.initiateDeviceAuthorization(config, { scope: 'openid profile' })
      expect(codes).toMatchObject({ verification_uri: `${ISSUER}/oauth2/device/verify`, interval: 5, expires_in: 600 })
      const row = await s.store.devices.get(signatureOf(s, codes.device_code))
      expect(row).toMatchObject({ client_id: client.client_id, requested_scope: ['openid', 'profile'] })
    })

    it('answers Ory’s SDK (oAuth2DeviceFlow) and ignores parameters it does not know', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const { data } = await publicOAuth2Api(s).oAuth2DeviceFlow({
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret) },
        data: new URLSearchParams({ scope: 'profile', unknown_parameter: 'x' }).toString(),
      })
      expect(data).toMatchObject({ verification_uri: `${ISSUER}/oauth2/device/verify`, expires_in: 600, interval: 5 })
      expect(data.device_code).toStartWith('ory_dc_')
    })

    it('refuses unknown clients, wrong secrets and requests without credentials with 401 invalid_client', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      await expectError(await postForm(s.publicFetch, DEVICE_AUTH_URL, { client_id: 'nobody' }), 401, 'invalid_client')
      await expectError(await postForm(s.publicFetch, DEVICE_AUTH_URL, { scope: 'openid' }, { authorization: basic(client.client_id, 'wrong-secret') }), 401, 'invalid_client')
      await expectError(await postForm(s.publicFetch, DEVICE_AUTH_URL, { scope: 'openid' }), 401, 'invalid_client')
      await expectError(await postForm(s.publicFetch, DEVICE_AUTH_URL, ''), 401, 'invalid_client')
      const mismatch = await postForm(s.publicFetch, DEVICE_AUTH_URL, { client_id: 'someone-else' }, { authorization: basic(client.client_id, client.client_secret) })
      await expectError(mismatch, 401, 'invalid_client', /does not match/)
    })

    it('refuses a client without the device_code grant (unauthorized_client), scopes and audiences it may not ask for', async () => {
      const s = await startDeviceServer(factory)
      const other = await createClient(s, { scope: 'openid' })
      const auth = (c: { client_id: string; client_secret: string }) => ({ authorization: basic(c.client_id, c.client_secret) })
      await expectError(await postForm(s.publicFetch, DEVICE_AUTH_URL, { scope: 'openid' }, auth(other)), 400, 'unauthorized_client', new RegExp(DEVICE_GRANT))
      const client = await createDeviceClient(s)
      await expectError(await postForm(s.publicFetch, DEVICE_AUTH_URL, { scope: 'openid admin' }, auth(client)), 400, 'invalid_scope', /"admin"/)
      await expectError(await postForm(s.publicFetch, DEVICE_AUTH_URL, { scope: 'bad\\scope' }, auth(client)), 400, 'invalid_scope')
      await expectError(await postForm(s.publicFetch, DEVICE_AUTH_URL, { audience: 'https://elsewhere.test' }, auth(client)), 400, 'invalid_request', /audience/)
      expect(await s.store.devices.deleteExpired(Number.MAX_SAFE_INTEGER, 100)).toBe(0)
    })

    it('refuses malformed requests with 400 invalid_request: duplicate parameters, a body that is not a form', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const auth = { authorization: basic(client.client_id, client.client_secret) }
      await expectError(await postForm(s.publicFetch, DEVICE_AUTH_URL, 'scope=openid&scope=profile', auth), 400, 'invalid_request', /only be included once/)
      const json = await s.publicFetch(DEVICE_AUTH_URL, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: '{}' })
      await expectError(json, 400, 'invalid_request')
      expect((await s.publicFetch(DEVICE_AUTH_URL)).status).toBe(404)
    })

    it('draws user codes in Hydra’s formats: the presets, and a length with a character set', async () => {
      for (const [overrides, pattern] of [
        [{ 'oauth2.device_authorization.user_code.entropy_preset': 'medium' }, /^[A-Z]{8}$/],
        [{ 'oauth2.device_authorization.user_code.entropy_preset': 'low' }, /^[0-9]{9}$/],
        [{ 'oauth2.device_authorization.user_code.length': 12, 'oauth2.device_authorization.user_code.character_set': 'BCDFGHJKLMNPQRSTVWXZ' }, /^[BCDFGHJKLMNPQRSTVWXZ]{12}$/],
        [{ 'oauth2.device_authorization.user_code.length': 6 }, /^[abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679]{6}$/],
      ] as const) {
        const s = await startDeviceServer(factory, overrides)
        const codes = await requestDeviceCodes(s, await createDeviceClient(s))
        expect(codes.user_code).toMatch(pattern)
      }
    })

    it('draws another user code when one is taken by a live authorization, and gives up after three', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const insert = s.store.devices.insert.bind(s.store.devices)
      let refusals = 2
      const drawn: string[] = []
      s.store.devices.insert = async (row, now) => {
        drawn.push(row.user_code_signature)
        if (refusals-- > 0) return false
        return insert(row, now)
      }
      const codes = await requestDeviceCodes(s, client)
      expect(new Set(drawn).size).toBe(3)
      expect(drawn[2]).toBe(userCodeSignature(TEST_SECRET, codes.user_code))

      refusals = 3
      const res = await postForm(s.publicFetch, DEVICE_AUTH_URL, { scope: 'openid' }, { authorization: basic(client.client_id, client.client_secret) })
      await expectError(res, 500, 'server_error')
    })

    it('names the verification URI on the public URL', async () => {
      const s = await startDeviceServer(factory, { 'urls.self.public': 'https://public.gatehouse.test/' })
      const codes = await requestDeviceCodes(s, await createDeviceClient(s))
      expect(codes.verification_uri).toBe('https://public.gatehouse.test/oauth2/device/verify')
    })
  })
}

describe('device authorization configuration', () => {
  const load = (overrides: Record<string, unknown>) => () =>
    loadConfig({ overrides: { dev: true, 'secrets.system': [TEST_SECRET], ...overrides } })

  it('refuses user code characters that fold together or that users would not type', () => {
    expect(load({ 'oauth2.device_authorization.user_code.character_set': 'abcdeABCDE12' })).toThrow(/at least 8 characters that differ/)
    expect(load({ 'oauth2.device_authorization.user_code.character_set': 'ABCDEFGH-' })).toThrow(/no dash or space/)
    expect(load({ 'oauth2.device_authorization.user_code.length': 5 })).toThrow(/user_code.length/)
    expect(load({ 'oauth2.device_authorization.user_code.character_set': 'ABCDEFGH' })).not.toThrow()
  })

  it('refuses polling intervals under a second and lifetimes that are not positive', () => {
    expect(load({ 'oauth2.device_authorization.token_polling_interval': '500ms' })).toThrow(/token_polling_interval: must be at least 1s/)
    expect(load({ 'ttl.device_user_code': '0s' })).toThrow(/ttl.device_user_code: must be positive/)
  })
})
