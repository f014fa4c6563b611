import { DEVICE_VERIFICATION_PATH } from '../oauth2/device_code.ts'
import { untrustedError } from '../oauth2/response_modes/index.ts'
import type { OAuth2Client } from '../protocol/client.ts'
import { InvalidClient, InvalidRequest, OAuthError, ServerError } from '../protocol/errors.ts'
import type { Outcome } from '../protocol/outcome.ts'
import type { Params } from '../protocol/params.ts'
import { withParam } from '../util/with_param.ts'
import type { Browser } from './browser.ts'
import { openVerifier, sealChallenge, spendVerifier } from './challenge.ts'
import { verifyConsent } from './consent_verifier.ts'
import type { FlowContext } from './context.ts'
import { csrfFailure } from './csrf.ts'
import { DEVICE_END } from './device_end.ts'
import { DEVICE } from './device_request.ts'
import { startLogin } from './login.ts'
import { verifyLogin } from './login_verifier.ts'
import { newCsrfValue, type AuthorizationSnapshot, type DeviceChallengeState } from './state.ts'

const VERIFIERS = ['device_verifier', 'login_verifier', 'consent_verifier'] as const

/**
 * First hop: seal a device challenge, set the device CSRF cookie and send the browser to the device verification
 * app, with the user code when the user came from `verification_uri_complete` (RFC 8628 §3.3.1).
 */
function requestDevice(ctx: FlowContext, params: Params, browser: Browser): Outcome {
  const app = ctx.apps.device
  if (!app) return { kind: 'error_page', error: ServerError.with({ hint: 'urls.device.verification is not configured.' }) }
  const now = ctx.clock()
  const state: DeviceChallengeState = { id: crypto.randomUUID(), csrf: newCsrfValue(), expires_at: now + ctx.config.ttl.login_consent_request }
  browser.writeCsrf('device', null, state.csrf)
  const url = new URL(app)
  url.searchParams.set('device_challenge', sealChallenge(ctx.sealer, 'device_challenge', state, state.expires_at))
  const userCode = params.get('user_code')
  if (userCode) url.searchParams.set('user_code', userCode)
  return { kind: 'redirect', location: url.href }
}

/** The client the return trip names (Hydra puts `client_id` beside every verifier of a device flow). */
async function clientOf(ctx: FlowContext, params: Params): Promise<OAuth2Client> {
  const id = params.get('client_id')
  if (!id) throw InvalidClient.with({ hint: "Query parameter 'client_id' is missing." })
  const record = await ctx.clients.get(id)
  if (!record) throw InvalidClient.with({ hint: 'The OAuth 2.0 Client does not exist.' })
  return record.client
}

/**
 * The browser is back from the device verification app with a device verifier: it must be ours, for this client,
 * from this browser (device CSRF cookie) and unused. The login and consent flow starts for what the device asked.
 */
async function deviceVerified(ctx: FlowContext, client: OAuth2Client, browser: Browser, value: string): Promise<Outcome> {
  const v = openVerifier(ctx, DEVICE, value)
  const { accepted } = v
  if (accepted.client_id !== client.client_id) {
    throw InvalidClient.with({ hint: 'The flow client id does not match the client id of the request.' })
  }
  const forbidden = csrfFailure(browser, 'device', null, v.challenge.csrf)
  if (forbidden) return forbidden
  await spendVerifier(ctx, DEVICE, v)
  const request: AuthorizationSnapshot = {
    client_id: client.client_id,
    redirect_uri: null,
    effective_redirect_uri: '',
    response_mode: 'query',
    state: null,
    nonce: null,
    code_challenge: null,
    code_challenge_method: null,
    scope: accepted.requested_scope,
    audience: accepted.requested_audience,
    prompt: [],
    max_age: null,
    request_url: withParam(`${ctx.publicUrl}${DEVICE_VERIFICATION_PATH}`, 'client_id', client.client_id),
    requested_at: accepted.requested_at,
    oidc_context: {},
    device_request_id: accepted.request_id,
  }
  return startLogin(ctx, browser, client, request)
}

/**
 * `GET /oauth2/device/verify` (RFC 8628 §3.3, Hydra's performOAuth2DeviceVerificationFlow): without a verifier it
 * sends the browser to the device verification app; a device verifier (the user code accepted) leads to login, a
 * login verifier to consent, a consent verifier to the device's grant and `urls.device.success`. Errors go to
 * `urls.error` or the error page: there is no client redirect URI to send them to.
 */
export async function verifyDevice(ctx: FlowContext, readParams: () => Params, browser: Browser): Promise<Outcome> {
  try {
    const params = readParams()
    const given = VERIFIERS.filter((name) => params.has(name))
    if (given.length > 1) throw InvalidRequest.with({ hint: `${given.join(' and ')} must not be sent together.` })
    if (given.length === 0) return requestDevice(ctx, params, browser)
    const client = await clientOf(ctx, params)
    const verifier = params.get(given[0]!)!
    switch (given[0]!) {
      case 'device_verifier':
        return await deviceVerified(ctx, client, browser, verifier)
      case 'login_verifier':
        return await verifyLogin(ctx, client, browser, verifier, DEVICE_END)
      case 'consent_verifier':
        return await verifyConsent(ctx, client, browser, verifier, DEVICE_END)
    }
  } catch (err) {
    if (err instanceof OAuthError) return untrustedError(ctx, err)
    throw err
  }
}
