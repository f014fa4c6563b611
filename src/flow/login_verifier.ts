import type { FlowContext } from './context.ts'
import type { AuthorizationRequest } from '../oauth2/checks/authorization_request.ts'
import { AccessDenied, InvalidClient } from '../protocol/errors.ts'
import { authorizationError } from '../oauth2/response_modes/index.ts'
import type { Browser } from './browser.ts'
import { openChallenge } from './challenge.ts'
import { requestConsent } from './consent.ts'
import { csrfFailure } from './csrf.ts'
import { recordHandled } from './handled.ts'
import { confirmLogin } from './login_session.ts'
import { targetOf, type LoginVerifierState } from './state.ts'
import type { Outcome } from '../protocol/outcome.ts'

/**
 * The browser is back from the login app with a login verifier: it must be ours, for this client, from this
 * browser (login CSRF cookie) and unused. A rejected login goes to the client as an error; an accepted one
 * settles the login session and moves on to consent.
 */
export async function verifyLogin(ctx: FlowContext, r: AuthorizationRequest, browser: Browser, verifier: string): Promise<Outcome> {
  const now = ctx.clock()
  const v = openChallenge<LoginVerifierState>(ctx.sealer, 'login_verifier', verifier, now)
  if (!v) throw AccessDenied.with({ hint: 'The login verifier is invalid.' })
  const { challenge } = v
  const client = r.client!
  if (challenge.request.client_id !== client.client_id) {
    throw InvalidClient.with({ hint: 'The flow client id does not match the authorize request client id.' })
  }
  const forbidden = csrfFailure(browser, 'login', client.client_id, challenge.csrf)
  if (forbidden) return forbidden
  if ((await recordHandled(ctx, `lv:${v.id}`, '', now + ctx.config.ttl.login_consent_request)) !== null) {
    throw AccessDenied.with({ hint: 'The login verifier has already been used.' })
  }
  // Hydra: a rejected login reaches the client as the error the login app chose.
  if (v.denied) return authorizationError(ctx, targetOf(challenge.request), v.denied)
  const login = await confirmLogin(ctx, browser, challenge, v.accepted!)
  return requestConsent(ctx, browser, client, challenge.request, challenge.id, login)
}
