import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { verifyDevice } from '../../flow/device_verification.ts'
import { deviceAuthorizationEndpoint } from '../../oauth2/device_authorization.ts'
import { DEVICE_AUTHORIZATION_PATH, DEVICE_VERIFICATION_PATH } from '../../oauth2/device_code.ts'
import { parseParams } from '../../protocol/params.ts'
import { json, readForm } from '../body.ts'
import { HttpBrowser } from '../cookies.ts'
import { renderOutcome } from '../outcome.ts'
import { NO_STORE } from './token.ts'

/**
 * The device authorization grant's public endpoints (RFC 8628): `POST /oauth2/device/auth`, where the device asks
 * for its codes, and `GET /oauth2/device/verify`, where the user's browser verifies them through login and consent.
 */
export const deviceRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'public-device' })
    .post(DEVICE_AUTHORIZATION_PATH, async ({ request }) => {
      const params = await readForm(request)
      const body = await deviceAuthorizationEndpoint(ctx, { params, authorization: request.headers.get('authorization') })
      // RFC 8628 §3.2 answers like the token endpoint, whose responses MUST NOT be cached (RFC 6749 §5.1).
      return json(body, 200, NO_STORE)
    })
    .get(DEVICE_VERIFICATION_PATH, async ({ request }) => {
      const browser = new HttpBrowser(ctx, request)
      const outcome = await verifyDevice(ctx, () => parseParams(new URL(request.url).searchParams), browser)
      return renderOutcome(outcome, browser.setCookies)
    })
