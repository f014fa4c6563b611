import type { FlowContext } from './context.ts'
import type { AuthorizationRequest } from '../oauth2/checks/authorization_request.ts'
import { InvalidRequest } from '../protocol/errors.ts'
import type { Browser } from './browser.ts'
import { AUTHORIZATION_END, verifyConsent } from './consent_verifier.ts'
import { requestLogin } from './login.ts'
import { verifyLogin } from './login_verifier.ts'
import type { Outcome } from '../protocol/outcome.ts'

/**
 * The login and consent state machine behind a valid authorization request: no verifier starts a login, a login
 * verifier leads to consent, a consent verifier ends in the authorization response.
 */
export function continueFlow(ctx: FlowContext, r: AuthorizationRequest, browser: Browser): Promise<Outcome> {
  const loginVerifier = r.params.get('login_verifier')
  const consentVerifier = r.params.get('consent_verifier')
  if (loginVerifier !== undefined && consentVerifier !== undefined) {
    throw InvalidRequest.with({ hint: 'login_verifier and consent_verifier must not be sent together.' })
  }
  if (loginVerifier !== undefined) return verifyLogin(ctx, r.client!, browser, loginVerifier, AUTHORIZATION_END)
  if (consentVerifier !== undefined) return verifyConsent(ctx, r.client!, browser, consentVerifier, AUTHORIZATION_END)
  return requestLogin(ctx, r, browser)
}
