import type { OAuth2Context } from './context.ts'
import type { Params } from '../protocol/params.ts'
import { newAuthorizationRequest, type AuthorizationRequest, type Check } from './checks/authorization_request.ts'
import { checkAudience } from './checks/check_audience.ts'
import { checkClientId } from './checks/check_client_id.ts'
import { checkIdTokenHint } from './checks/check_id_token_hint.ts'
import { checkMaxAge } from './checks/check_max_age.ts'
import { checkNonce } from './checks/check_nonce.ts'
import { checkOpenIdRedirectUri } from './checks/check_openid_redirect_uri.ts'
import { checkPkce } from './checks/check_pkce.ts'
import { checkPrompt } from './checks/check_prompt.ts'
import { checkRedirectUri } from './checks/check_redirect_uri.ts'
import { checkRequestObject } from './checks/check_request_object.ts'
import { checkRequestUri } from './checks/check_request_uri.ts'
import { checkResponseMode } from './checks/check_response_mode.ts'
import { checkResponseType } from './checks/check_response_type.ts'
import { checkScope } from './checks/check_scope.ts'
import { checkState } from './checks/check_state.ts'
import { OAuthError } from '../protocol/errors.ts'
import { authorizationError, untrustedError } from './response_modes/index.ts'
import type { Outcome } from '../protocol/outcome.ts'

/** What follows once a request passed every check: the login and consent flow (src/flow/flow.ts). */
export type Interaction = (r: AuthorizationRequest) => Promise<Outcome>

/**
 * The checks, in order. Those up to checkRedirectUri decide whether the redirect URI can be trusted: errors before
 * it go to the error page, errors after it to the client. A request object replaces the parameters before the
 * redirect URI is read from them.
 */
const CHECKS: readonly Check[] = [
  checkClientId,
  checkRequestUri,
  checkRequestObject,
  checkRedirectUri,
  checkResponseMode,
  checkResponseType,
  checkState,
  checkScope,
  checkAudience,
  checkOpenIdRedirectUri,
  checkNonce,
  checkPkce,
  checkPrompt,
  checkMaxAge,
  checkIdTokenHint,
]

function errorOutcome(ctx: OAuth2Context, r: AuthorizationRequest | undefined, err: OAuthError): Outcome {
  // RFC 6749 §4.1.2.1: never redirect to an unverified redirect URI.
  if (!r?.redirectUri) return untrustedError(ctx, err)
  const target = { redirect_uri: r.redirectUri, response_mode: r.responseMode, state: r.state }
  return authorizationError(ctx, target, { error: err.error, error_description: err.fullDescription })
}

/**
 * RFC 6749 §3.1 authorization endpoint (GET and POST): the checks, then `interact` (the login and consent flow).
 * `readParams` reads the query or form body, throwing invalid_request for duplicates or a malformed body.
 */
export async function authorizationEndpoint(ctx: OAuth2Context, readParams: () => Promise<Params>, interact: Interaction): Promise<Outcome> {
  let r: AuthorizationRequest | undefined
  try {
    r = newAuthorizationRequest(ctx, await readParams(), ctx.clock())
    for (const check of CHECKS) await check(r)
    return await interact(r)
  } catch (err) {
    if (err instanceof OAuthError) return errorOutcome(ctx, r, err)
    throw err
  }
}
