import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import {
  acceptLogin,
  acceptUserCode,
  authorizeDevice,
  basic,
  Browser,
  challengeOf,
  createDeviceClient,
  DEVICE_AS,
  DEVICE_DONE_URL,
  DEVICE_GRANT,
  errorPageOf,
  expectError,
  introspect,
  ISSUER,
  locationOf,
  pollDevice,
  postForm,
  refresh,
  requestDeviceCodes,
  rp,
  startDeviceServer,
  storeFactories,
  TEST_SECRET,
  TOKEN_URL,
  USERINFO_URL,
  verifyJwt,
  type CodeClient,
  type TestServer,
} from '../../_harness.ts'
import { userCodeSignature } from '../../../src/oauth2/tokens/user_code.ts'

const SECOND = 1000

/** The `error` of a token error response, checked as oauth4webapi processes it. */
async function processedError(s: TestServer, client: CodeClient, res: Response): Promise<string> {
  try {
    await oauth.processDeviceCodeResponse(DEVICE_AS, rp(s, client), res)
  } catch (err) {
    if (err instanceof oauth.ResponseBodyError) return err.error
    throw err
  }
  throw new Error('expected an error response')
}

/** A device flow up to the user's consent, polled once before (pending); returns the device code. */
async function consented(s: TestServer, client: CodeClient, params?: Record<string, string>, consent = {}) {
  const codes = await requestDeviceCodes(s, client, params)
  expect(await processedError(s, client, await pollDevice(s, client, codes.device_code))).toBe('authorization_pending')
  const done = await authorizeDevice(s, new Browser(s), codes, { login: { subject: 'alice', acr: 'urn:acr:device', amr: ['pwd'] }, consent })
  expect(locationOf(done).href).toBe(`${DEVICE_DONE_URL}?client_id=${client.client_id}`)
  s.clock.advance(5 * SECOND)
  return codes.device_code
}

for (const factory of storeFactories()) {
  describe(`device_code grant (${factory.name})`, () => {
    it('answers authorization_pending until the user consents, then access, refresh and ID tokens oauth4webapi accepts', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const requestedAt = Math.floor(s.clock() / 1000)
      const deviceCode = await consented(s, client, { scope: 'openid offline profile' }, {
        session: { id_token: { name: 'Alice' }, access_token: { tier: 'gold' } },
      })
      const res = await pollDevice(s, client, deviceCode)
      expect(res.headers.get('cache-control')).toBe('no-store')
      const tokens = await oauth.processDeviceCodeResponse(DEVICE_AS, rp(s, client), res)
      expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'openid offline profile', expires_in: 3600 })
      expect(tokens.access_token).toStartWith('ory_at_')
      expect(tokens.refresh_token).toStartWith('ory_rt_')
      const claims = oauth.getValidatedIdTokenClaims(tokens)!
      const [flow] = await s.store.flows.listFlows('alice', client.client_id)
      expect(claims).toMatchObject({
        iss: ISSUER,
        sub: 'alice',
        aud: [client.client_id],
        acr: 'urn:acr:device',
        amr: ['pwd'],
        name: 'Alice',
        sid: flow!.login_session_id!,
        rat: requestedAt,
        auth_time: requestedAt,
      })
      expect(claims.nonce).toBeUndefined()
      expect(await introspect(s, tokens.access_token)).toMatchObject({ active: true, sub: 'alice', client_id: client.client_id, ext: { tier: 'gold' } })
      const userinfo = await s.publicFetch(USERINFO_URL, { headers: { authorization: `Bearer ${tokens.access_token}` } })
      expect(await userinfo.json()).toMatchObject({ sub: 'alice', name: 'Alice' })

      const refreshed = await refresh(s, client, tokens.refresh_token!)
      expect(await verifyJwt(s, refreshed.id_token!)).toMatchObject({ sub: 'alice', sid: claims.sid, auth_time: requestedAt })
    })

    it('works for a public client, and issues a refresh token only for offline scopes and the refresh_token grant', async () => {
      const s = await startDeviceServer(factory)
      const publicClient = await createDeviceClient(s, { token_endpoint_auth_method: 'none' })
      const publicTokens = await oauth.processDeviceCodeResponse(
        DEVICE_AS,
        rp(s, publicClient),
        await pollDevice(s, publicClient, await consented(s, publicClient, { scope: 'offline_access' })),
      )
      expect(publicTokens.refresh_token).toStartWith('ory_rt_')
      expect(publicTokens.id_token).toBeUndefined()

      const client = await createDeviceClient(s)
      const online = await oauth.processDeviceCodeResponse(DEVICE_AS, rp(s, client), await pollDevice(s, client, await consented(s, client, { scope: 'openid' })))
      expect(online.refresh_token).toBeUndefined()
      expect(online.id_token).toBeString()

      const noRefreshGrant = await createDeviceClient(s, { grant_types: [DEVICE_GRANT] })
      const res = await pollDevice(s, noRefreshGrant, await consented(s, noRefreshGrant, { scope: 'offline' }))
      expect((await oauth.processDeviceCodeResponse(DEVICE_AS, rp(s, noRefreshGrant), res)).refresh_token).toBeUndefined()
    })

    it('answers slow_down to a device that polls sooner than its interval, which then grows by 5 seconds', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const { device_code: code } = await requestDeviceCodes(s, client)
      const poll = async () => processedError(s, client, await pollDevice(s, client, code))
      expect(await poll()).toBe('authorization_pending')
      s.clock.advance(4 * SECOND)
      const fast = await pollDevice(s, client, code)
      await expectError(fast, 400, 'slow_down', /Wait 10 seconds/)
      s.clock.advance(9 * SECOND)
      expect(await poll()).toBe('slow_down')
      s.clock.advance(15 * SECOND)
      expect(await poll()).toBe('authorization_pending')
      s.clock.advance(14 * SECOND)
      expect(await poll()).toBe('slow_down')
    })

    it('answers expired_token once the device code expired, even after consent', async () => {
      const s = await startDeviceServer(factory, { 'ttl.device_user_code': '2m' })
      const client = await createDeviceClient(s)
      const deviceCode = await consented(s, client)
      s.clock.advance(2 * 60 * SECOND)
      await expectError(await pollDevice(s, client, deviceCode), 400, 'expired_token')
    })

    it('answers access_denied when the login app rejects, and shows the user why', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const codes = await requestDeviceCodes(s, client)
      const b = new Browser(s)
      const login = await acceptUserCode(s, b, await b.open(codes.verification_uri_complete!), codes.user_code)
      const { data } = await s.hydra.oauth2.rejectOAuth2LoginRequest({
        loginChallenge: challengeOf(login, 'login'),
        rejectOAuth2Request: { error: 'access_denied', error_description: 'The user said no.' },
      })
      const page = await b.open(data.redirect_to)
      expect(await errorPageOf(page)).toMatchObject({ status: 403, error: 'access_denied', description: expect.stringContaining('The user said no.') })
      await expectError(await pollDevice(s, client, codes.device_code), 400, 'access_denied')
    })

    it('answers access_denied when the consent app rejects', async () => {
      const s = await startDeviceServer(factory, { 'urls.error': 'https://login.test/error' })
      const client = await createDeviceClient(s)
      const codes = await requestDeviceCodes(s, client)
      const b = new Browser(s)
      const login = await acceptUserCode(s, b, await b.open(codes.verification_uri_complete!), codes.user_code)
      const consent = await acceptLogin(s, b, login)
      const { data } = await s.hydra.oauth2.rejectOAuth2ConsentRequest({ consentChallenge: challengeOf(consent, 'consent'), rejectOAuth2Request: {} })
      const shown = locationOf(await b.open(data.redirect_to))
      expect(`${shown.origin}${shown.pathname}`).toBe('https://login.test/error')
      expect(shown.searchParams.get('error')).toBe('access_denied')
      expect(shown.searchParams.get('error_description')).toContain('consent request denied')
      expect(await processedError(s, client, await pollDevice(s, client, codes.device_code))).toBe('access_denied')
      expect(await s.store.flows.listFlows('alice')).toEqual([])
    })

    it('redeems a device code once: a replay is invalid_grant and revokes the tokens it gave', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const deviceCode = await consented(s, client)
      const tokens = await oauth.processDeviceCodeResponse(DEVICE_AS, rp(s, client), await pollDevice(s, client, deviceCode))
      s.clock.advance(5 * SECOND)
      await expectError(await pollDevice(s, client, deviceCode), 400, 'invalid_grant', /already been used/)
      expect((await introspect(s, tokens.access_token)).active).toBe(false)
      expect((await introspect(s, tokens.refresh_token!)).active).toBe(false)
    })

    it('lets one of two concurrent polls on the same device code win once it was granted', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const deviceCode = await consented(s, client)
      const answers = await Promise.all([pollDevice(s, client, deviceCode), pollDevice(s, client, deviceCode)])
      expect(answers.map((r) => r.status).sort()).toEqual([200, 400])
    })

    it('refuses missing, malformed, unknown and other clients’ device codes', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const other = await createDeviceClient(s)
      const token = (c: CodeClient, form: Record<string, string>) =>
        postForm(s.publicFetch, TOKEN_URL, { grant_type: DEVICE_GRANT, ...form }, { authorization: basic(c.client_id, c.client_secret) })
      await expectError(await token(client, {}), 400, 'invalid_request', /device_code/)
      await expectError(await token(client, { device_code: 'ory_dc_nonsense' }), 400, 'invalid_grant', /malformed/)
      await expectError(await token(client, { device_code: 'ory_ac_x' }), 400, 'invalid_grant', /malformed/)
      const { device_code: code } = await requestDeviceCodes(s, client)
      await s.store.devices.deleteExpired(Number.MAX_SAFE_INTEGER, 10)
      await expectError(await token(client, { device_code: code }), 400, 'invalid_grant', /unknown/)
      const { device_code: theirs, user_code: theirUserCode } = await requestDeviceCodes(s, other)
      await expectError(await token(client, { device_code: theirs }), 400, 'invalid_grant', /another client/)
      // The refused request is no poll of the other client's.
      expect((await s.store.devices.getByUserCode(userCodeSignature(TEST_SECRET, theirUserCode)))?.last_polled_at).toBeNull()
      await expectError(await token(client, { device_code: theirs, device_code_extra: 'ignored' }), 400, 'invalid_grant', /another client/)
    })

    it('refuses a client without the device_code grant at the token endpoint (unauthorized_client)', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const { device_code: code } = await requestDeviceCodes(s, client)
      await s.hydra.oauth2.setOAuth2Client({ id: client.client_id, oAuth2Client: { ...client, grant_types: ['refresh_token'] } })
      const res = await postForm(s.publicFetch, TOKEN_URL, { grant_type: DEVICE_GRANT, device_code: code }, { authorization: basic(client.client_id, client.client_secret) })
      await expectError(res, 400, 'unauthorized_client')
    })

    it('mints with the client’s device_authorization_grant lifespans', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      await s.hydra.oauth2.setOAuth2ClientLifespans({
        id: client.client_id,
        oAuth2ClientTokenLifespans: { device_authorization_grant_access_token_lifespan: '15m', device_authorization_grant_id_token_lifespan: '5m' },
      })
      const tokens = await oauth.processDeviceCodeResponse(DEVICE_AS, rp(s, client), await pollDevice(s, client, await consented(s, client)))
      expect(tokens.expires_in).toBe(15 * 60)
      const claims = oauth.getValidatedIdTokenClaims(tokens)!
      expect(claims.exp - claims.iat).toBe(5 * 60)
    })
  })
}
