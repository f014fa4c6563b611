import type { FlowContext } from './context.ts'
import type { AuthorizationRequest } from '../oauth2/checks/authorization_request.ts'
import { authorizationError } from '../oauth2/response_modes/index.ts'
import type { Browser } from './browser.ts'
import { openVerifier, spendVerifier } from './challenge.ts'
import { LOGIN } from './login_request.ts'
import { requestConsent } from './consent.ts'
import { returnFailure } from './csrf.ts'
import { confirmLogin } from './login_session.ts'
import { targetOf } from './state.ts'
import type { Outcome } from '../protocol/outcome.ts'

/**
 * The browser is back from the login app with a login verifier: it must be ours, for this client, from this
 * browser (login CSRF cookie) and unused. A rejected login goes to the client as an error; an accepted one
 * settles the login session and moves on to consent.
 */
export async function verifyLogin(ctx: FlowContext, r: AuthorizationRequest, browser: Browser, verifier: string): Promise<Outcome> {
  const v = openVerifier(ctx, LOGIN, verifier)
  const { challenge } = v
  const client = r.client!
  const forbidden = returnFailure(browser, 'login', client, challenge)
  if (forbidden) return forbidden
  await spendVerifier(ctx, LOGIN, v)
  // Hydra: a rejected login reaches the client as the error the login app chose.
  if (v.denied) return authorizationError(ctx, targetOf(challenge.request), v.denied)
  const login = await confirmLogin(ctx, browser, challenge, v.accepted!)
  return requestConsent(ctx, browser, client, challenge.request, challenge.id, login)
}
