import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import { DEMO_CLIENT_ID, demoSecret } from '../../src/dev/demo_client.ts'
import { MAX_WRONG_USER_CODES } from '../../src/flow/device_request.ts'
import {
  Browser,
  DEVICE_AS,
  DEVICE_VERIFICATION_URL,
  pollDevice,
  requestDeviceCodes,
  rp,
  SECURE,
  securityHeadersOf,
  storeFactories,
  type CodeClient,
  type TestServer,
} from '../_harness.ts'
import { post, startDevServer, visit } from './_pages.ts'

const DEVICE_PAGE = 'https://gatehouse.test/oauth2/fallbacks/device'
const DONE_PAGE = 'https://gatehouse.test/oauth2/fallbacks/device/done'

const demo = (s: TestServer) => ({ client_id: DEMO_CLIENT_ID, client_secret: demoSecret(s.ctx) }) as CodeClient

for (const factory of storeFactories()) {
  describe(`built-in device pages (${factory.name})`, () => {
    it('let the demo client sign a device in: the code, sign-in, consent, then the done page and tokens', async () => {
      const s = await startDevServer(factory)
      const client = demo(s)
      const codes = await requestDeviceCodes(s, client, { scope: 'openid offline_access' })
      const b = new Browser(s)
      const form = await visit(b, codes.verification_uri_complete!)
      expect(form.path).toBe('/oauth2/fallbacks/device')
      expect(form.res.status).toBe(200)
      expect(securityHeadersOf(form.res)).toEqual(SECURE)
      expect(form.html).toContain(`value="${codes.user_code}"`)

      const login = await post(b, form, { user_code: codes.user_code.toLowerCase() })
      expect(login.path).toBe('/oauth2/fallbacks/login')
      const consent = await post(b, login, { username: 'dora', action: 'accept' })
      expect(consent.path).toBe('/oauth2/fallbacks/consent')
      const done = await post(b, consent, { action: 'allow' })
      expect(done.url).toBe(`${DONE_PAGE}?client_id=${DEMO_CLIENT_ID}`)
      expect(done.html).toContain('Gatehouse demo')

      s.clock.advance(5000)
      const tokens = await oauth.processDeviceCodeResponse(DEVICE_AS, rp(s, client), await pollDevice(s, client, codes.device_code))
      expect(oauth.getValidatedIdTokenClaims(tokens)!.sub).toBe('dora')
      expect(tokens.refresh_token).toStartWith('ory_rt_')
    })

    it('shows the form again for a wrong code, and ends the challenge after too many', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const form = await visit(b, 'https://gatehouse.test/oauth2/device/verify')
      const empty = await post(b, form, { user_code: '  ' })
      expect(empty.res.status).toBe(400)
      expect(empty.html).toContain('Enter the code your device shows.')
      let page = form
      for (let i = 0; i < MAX_WRONG_USER_CODES; i++) {
        page = await post(b, page, { user_code: 'NOTACODE' })
        expect(page.res.status).toBe(400)
        expect(page.html).toContain('That code is unknown or has expired.')
      }
      const refused = await post(b, page, { user_code: 'NOTACODE' })
      expect(refused.res.status).toBe(403)
      expect(refused.html).toContain('<code>request_forbidden</code>')
    })

    it('refuse a form without its page token, a broken challenge, and serve nothing outside --dev or with urls.device.* set', async () => {
      const s = await startDevServer(factory)
      const b = new Browser(s)
      const form = await visit(b, 'https://gatehouse.test/oauth2/device/verify')
      const forged = await post(b, form, { user_code: 'X', csrf_token: null })
      expect(forged.res.status).toBe(403)
      const broken = await visit(b, `${DEVICE_PAGE}?device_challenge=broken`)
      expect(broken.res.status).toBe(404)

      const own = await startDevServer(factory, { 'urls.device.verification': DEVICE_VERIFICATION_URL, 'urls.device.success': 'https://login.test/done' })
      for (const url of [DEVICE_PAGE, DONE_PAGE]) {
        const res = await new Browser(own).open(url)
        expect(res.status).toBe(404)
        expect(await res.text()).toContain('urls.device.')
      }
      const prod = await startDevServer(factory, { dev: false })
      expect((await new Browser(prod).open(DONE_PAGE)).status).toBe(404)
    })
  })
}
