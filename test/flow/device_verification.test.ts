import { describe, expect, it } from 'bun:test'
import {
  acceptConsent,
  acceptLogin,
  acceptUserCode,
  admin,
  authorizeUrl,
  Browser,
  challengeOf,
  createCodeClient,
  createDeviceClient,
  DEVICE_DONE_URL,
  DEVICE_VERIFICATION_URL,
  deviceChallengeOf,
  errorPageOf,
  expectError,
  ISSUER,
  locationOf,
  pollDevice,
  publicOAuth2Api,
  REDIRECT_URI,
  requestDeviceCodes,
  responseParams,
  sdkError,
  SECURE,
  securityHeadersOf,
  startDeviceServer,
  startFlowServer,
  storeFactories,
  type TestServer,
} from '../_harness.ts'
import { MAX_WRONG_USER_CODES } from '../../src/flow/device_request.ts'

const VERIFY = `${ISSUER}/oauth2/device/verify`

/** A device's codes and a browser at the device app with a device challenge for them. */
async function atDeviceApp(s: TestServer, scope = 'openid offline') {
  const client = await createDeviceClient(s)
  const codes = await requestDeviceCodes(s, client, { scope })
  const b = new Browser(s)
  const res = await b.open(codes.verification_uri_complete!)
  return { client, codes, b, res, challenge: deviceChallengeOf(res) }
}

const accept = (s: TestServer, challenge: string, userCode: string) =>
  admin(s, 'PUT', `/admin/oauth2/auth/requests/device/accept?device_challenge=${encodeURIComponent(challenge)}`, { user_code: userCode })

/** The user code with a dash in the middle, in lower case: as a user might type it. */
const typed = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase()

for (const factory of storeFactories()) {
  describe(`device verification (${factory.name})`, () => {
    it('sends the browser to the device app with a device challenge, the user code and a device CSRF cookie', async () => {
      const s = await startDeviceServer(factory)
      const { res, codes, b } = await atDeviceApp(s)
      const to = locationOf(res)
      expect(`${to.origin}${to.pathname}`).toBe(DEVICE_VERIFICATION_URL)
      expect(to.searchParams.get('user_code')).toBe(codes.user_code)
      expect(securityHeadersOf(res)).toEqual(SECURE)
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ory_hydra_device_csrf='))!
      expect(cookie).toMatch(/; HttpOnly; Secure; SameSite=None$/)
      expect(cookie).toContain(`Max-Age=${30 * 60}`)
      const bare = await b.open(VERIFY)
      expect(locationOf(bare).searchParams.has('user_code')).toBe(false)
      expect(deviceChallengeOf(bare)).not.toBe(deviceChallengeOf(res))
    })

    it('takes the user code through Ory’s SDK, without regard to case or dashes, and leads to login and consent', async () => {
      const s = await startDeviceServer(factory)
      const { client, codes, b, challenge } = await atDeviceApp(s, 'openid profile')
      const { data } = await s.hydra.oauth2.acceptUserCodeRequest({ deviceChallenge: challenge, acceptDeviceUserCodeRequest: { user_code: typed(codes.user_code) } })
      const back = new URL(data.redirect_to)
      expect(`${back.origin}${back.pathname}`).toBe(VERIFY)
      expect(back.searchParams.get('client_id')).toBe(client.client_id)
      expect(back.searchParams.get('device_verifier')).toBeString()

      const login = await b.open(data.redirect_to)
      const { data: loginRequest } = await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challengeOf(login, 'login') })
      expect(loginRequest).toMatchObject({ client: { client_id: client.client_id }, requested_scope: ['openid', 'profile'], skip: false })
      expect(loginRequest.request_url).toBe(`${VERIFY}?client_id=${client.client_id}`)
      const consent = await acceptLogin(s, b, login)
      const { data: consentRequest } = await s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challengeOf(consent, 'consent') })
      expect(consentRequest).toMatchObject({ subject: 'alice', requested_scope: ['openid', 'profile'], skip: false, client: { client_id: client.client_id } })
      const done = await acceptConsent(s, b, consent, { remember: true })
      expect(locationOf(done).href).toBe(`${DEVICE_DONE_URL}?client_id=${client.client_id}`)
      const [flow] = await s.store.flows.listFlows('alice', client.client_id)
      expect(flow).toMatchObject({ granted_scope: ['openid', 'profile'], remember: true })
    })

    it('never lets a device skip consent, even with a remembered consent and login session', async () => {
      const s = await startDeviceServer(factory)
      const { client, codes, b, res } = await atDeviceApp(s, 'openid')
      const consent = await acceptLogin(s, b, await acceptUserCode(s, b, res, codes.user_code), { remember: true })
      await acceptConsent(s, b, consent, { remember: true })

      const again = await requestDeviceCodes(s, client, { scope: 'openid' })
      const login = await acceptUserCode(s, b, await b.open(again.verification_uri_complete!), again.user_code)
      const { data: loginRequest } = await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challengeOf(login, 'login') })
      expect(loginRequest).toMatchObject({ skip: true, subject: 'alice' })
      const second = await acceptLogin(s, b, login)
      const { data: consentRequest } = await s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challengeOf(second, 'consent') })
      expect(consentRequest.skip).toBe(false)
    })

    it(`refuses wrong user codes (400), and the challenge after ${MAX_WRONG_USER_CODES} of them, right or not (403)`, async () => {
      const s = await startDeviceServer(factory)
      const { codes, challenge } = await atDeviceApp(s)
      for (let i = 0; i < MAX_WRONG_USER_CODES; i++) {
        await expectError(await accept(s, challenge, `WRONG${i}XX`), 400, 'invalid_request', /user code is unknown/)
      }
      await expectError(await accept(s, challenge, codes.user_code), 403, 'request_forbidden', /start again/)
      // Another challenge is a fresh start.
      const b = new Browser(s)
      const fresh = deviceChallengeOf(await b.open(codes.verification_uri_complete!))
      expect((await accept(s, fresh, codes.user_code)).status).toBe(200)
    })

    it('answers 410 with the first redirect once the challenge was accepted', async () => {
      const s = await startDeviceServer(factory)
      const { codes, challenge } = await atDeviceApp(s)
      const first = await accept(s, challenge, codes.user_code)
      const { redirect_to } = (await first.json()) as { redirect_to: string }
      const again = await accept(s, challenge, codes.user_code)
      expect(again.status).toBe(410)
      expect(await again.json()).toEqual({ redirect_to })
    })

    it('refuses a user code that expired or that another browser already used, and bad bodies', async () => {
      const s = await startDeviceServer(factory)
      const { codes, challenge, b, res } = await atDeviceApp(s)
      const other = new Browser(s)
      const otherChallenge = deviceChallengeOf(await other.open(VERIFY))
      await acceptConsent(s, b, await acceptLogin(s, b, await acceptUserCode(s, b, res, codes.user_code)))
      await expectError(await accept(s, otherChallenge, codes.user_code), 400, 'invalid_request', /already used/)

      const late = await requestDeviceCodes(s, await createDeviceClient(s))
      s.clock.advance(10 * 60_000)
      const lateChallenge = deviceChallengeOf(await other.open(VERIFY))
      await expectError(await accept(s, lateChallenge, late.user_code), 400, 'invalid_request', /expired/)

      await expectError(await accept(s, challenge, ''), 400, 'invalid_request', /user_code/)
      const extra = await admin(s, 'PUT', `/admin/oauth2/auth/requests/device/accept?device_challenge=${challenge}`, { user_code: 'x', subject: 'y' })
      await expectError(extra, 400, 'invalid_request')
      expect((await sdkError(s.hydra.oauth2.acceptUserCodeRequest({ deviceChallenge: 'not-a-challenge', acceptDeviceUserCodeRequest: { user_code: 'x' } }))).status).toBe(404)
      await expectError(await admin(s, 'PUT', '/admin/oauth2/auth/requests/device/accept', { user_code: 'x' }), 400, 'invalid_request')
    })

    it('has only accept for a device challenge, no GET and no reject (as Hydra), also without the /admin prefix', async () => {
      const s = await startDeviceServer(factory)
      const { codes, challenge } = await atDeviceApp(s)
      expect((await admin(s, 'GET', `/admin/oauth2/auth/requests/device?device_challenge=${challenge}`)).status).toBe(404)
      expect((await admin(s, 'PUT', `/admin/oauth2/auth/requests/device/reject?device_challenge=${challenge}`, {})).status).toBe(404)
      expect((await admin(s, 'PUT', `/oauth2/auth/requests/device/accept?challenge=${challenge}`, { user_code: codes.user_code })).status).toBe(200)
    })

    it('lets only the first of two browsers that accepted the same user code grant it', async () => {
      const s = await startDeviceServer(factory)
      const { client, codes, b, res } = await atDeviceApp(s)
      const mallory = new Browser(s)
      const theirs = await acceptLogin(s, mallory, await acceptUserCode(s, mallory, await mallory.open(VERIFY), codes.user_code), { subject: 'mallory' })
      const ours = await acceptLogin(s, b, await acceptUserCode(s, b, res, codes.user_code))
      expect(locationOf(await acceptConsent(s, b, ours)).href).toStartWith(DEVICE_DONE_URL)
      const late = await acceptConsent(s, mallory, theirs)
      expect(await errorPageOf(late)).toMatchObject({ status: 400, error: 'invalid_request', description: expect.stringContaining('another browser') })
      expect(await s.store.flows.listFlows('mallory', client.client_id)).toEqual([])
      s.clock.advance(5000)
      expect(await pollDevice(s, client, codes.device_code).then((r) => r.status)).toBe(200)
    })

    it('refuses device verifiers without the device CSRF cookie, used twice, or for another client', async () => {
      const s = await startDeviceServer(factory)
      const { codes, b, challenge } = await atDeviceApp(s)
      const { redirect_to } = (await (await accept(s, challenge, codes.user_code)).json()) as { redirect_to: string }
      expect(await errorPageOf(await new Browser(s).open(redirect_to))).toMatchObject({ status: 403, error: 'request_forbidden' })

      const otherClient = await createDeviceClient(s)
      const swapped = new URL(redirect_to)
      swapped.searchParams.set('client_id', otherClient.client_id)
      expect(await errorPageOf(await b.open(swapped.href))).toMatchObject({ status: 400, error: 'invalid_client' })
      swapped.searchParams.delete('client_id')
      expect(await errorPageOf(await b.open(swapped.href))).toMatchObject({ status: 400, error: 'invalid_client' })
      swapped.searchParams.set('client_id', 'no-such-client')
      expect(await errorPageOf(await b.open(swapped.href))).toMatchObject({ status: 400, error: 'invalid_client' })

      expect(challengeOf(await b.open(redirect_to), 'login')).toBeString()
      expect(await errorPageOf(await b.open(redirect_to))).toMatchObject({ status: 403, error: 'access_denied', description: expect.stringContaining('already been used') })
    })

    it('keeps device and authorization flows apart: a verifier of one is refused at the other’s endpoint', async () => {
      const s = await startDeviceServer(factory)
      const { client, codes, b, res } = await atDeviceApp(s)
      const login = await acceptUserCode(s, b, res, codes.user_code)
      const { data } = await s.hydra.oauth2.acceptOAuth2LoginRequest({ loginChallenge: challengeOf(login, 'login'), acceptOAuth2LoginRequest: { subject: 'alice' } })
      const deviceLoginVerifier = new URL(data.redirect_to).searchParams.get('login_verifier')!
      await s.hydra.oauth2.setOAuth2Client({
        id: client.client_id,
        oAuth2Client: { ...client, grant_types: [...client.grant_types!, 'authorization_code'], response_types: ['code'], redirect_uris: [REDIRECT_URI] },
      })
      const atAuthorize = await b.open(`${authorizeUrl(client)}&login_verifier=${encodeURIComponent(deviceLoginVerifier)}`)
      expect(Object.fromEntries(responseParams(atAuthorize))).toMatchObject({ error: 'access_denied' })

      const codeClient = await createCodeClient(s)
      const authLogin = await b.open(authorizeUrl(codeClient))
      const { data: authData } = await s.hydra.oauth2.acceptOAuth2LoginRequest({ loginChallenge: challengeOf(authLogin, 'login'), acceptOAuth2LoginRequest: { subject: 'alice' } })
      const authVerifier = new URL(authData.redirect_to).searchParams.get('login_verifier')!
      const atDevice = await b.open(`${VERIFY}?client_id=${codeClient.client_id}&login_verifier=${encodeURIComponent(authVerifier)}`)
      expect(await errorPageOf(atDevice)).toMatchObject({ status: 403, error: 'access_denied' })
    })

    it('refuses several verifiers at once, and sends errors to urls.error when set', async () => {
      const s = await startDeviceServer(factory, { 'urls.error': 'https://login.test/error' })
      const res = await new Browser(s).open(`${VERIFY}?device_verifier=a&login_verifier=b`)
      const to = locationOf(res)
      expect(`${to.origin}${to.pathname}`).toBe('https://login.test/error')
      expect(to.searchParams.get('error')).toBe('invalid_request')
      expect(to.searchParams.get('error_description')).toContain('device_verifier and login_verifier')
      const duplicate = await new Browser(s).open(`${VERIFY}?user_code=a&user_code=b`)
      expect(locationOf(duplicate).searchParams.get('error')).toBe('invalid_request')
    })

    it('answers through Ory’s SDK (performOAuth2DeviceVerificationFlow) with the redirect to the device app', async () => {
      const s = await startDeviceServer(factory)
      const { status } = await sdkError(publicOAuth2Api(s).performOAuth2DeviceVerificationFlow({ fetchOptions: { redirect: 'manual' } }))
      expect(status).toBe(302)
    })

    it('without a device app or success URL outside --dev: an error page, then a plain page once authorized', async () => {
      const s = await startFlowServer(factory)
      expect(await errorPageOf(await new Browser(s).open(VERIFY))).toMatchObject({ status: 500, error: 'server_error', description: expect.stringContaining('urls.device.verification') })

      const withApp = await startFlowServer(factory, { 'urls.device.verification': DEVICE_VERIFICATION_URL })
      const { codes, b, res } = await atDeviceApp(withApp)
      const done = await acceptConsent(withApp, b, await acceptLogin(withApp, b, await acceptUserCode(withApp, b, res, codes.user_code)))
      expect(done.status).toBe(200)
      expect(await done.text()).toContain('Your device is now signed in')
    })
  })
}
