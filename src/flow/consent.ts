import type { OAuth2Client } from '../protocol/client.ts'
import type { FlowContext } from './context.ts'
import { audienceAllowed } from '../oauth2/audience.ts'
import { isHttpsOrLoopback } from '../oauth2/checks/redirect_uri.ts'
import { InvalidRequest, ServerError, ConsentRequired } from '../protocol/errors.ts'
import { scopeStrategy } from '../oauth2/scope.ts'
import type { Browser } from './browser.ts'
import { MAX_CHALLENGE_LENGTH, sealChallenge, verifierRedirect } from './challenge.ts'
import { newCsrfValue, type AuthenticatedLogin, type AuthorizationSnapshot, type ConsentAcceptance, type ConsentChallengeState } from './state.ts'
import type { PolicyGrant } from './consent_policy.ts'
import { CONSENT } from './consent_request.ts'
import type { Outcome } from '../protocol/outcome.ts'

/**
 * Whether an earlier consent may be reused (Hydra's consent `skip`): a remembered, unexpired flow of the same
 * subject and client whose grants cover every requested scope and audience. Never for prompt=consent, a device
 * flow, or a public client whose redirect URI does not vouch for it.
 */
export async function consentSkippable(
  ctx: FlowContext,
  client: OAuth2Client,
  request: AuthorizationSnapshot,
  subject: string,
): Promise<boolean> {
  // OIDC Core §3.1.2.1: prompt=consent asks the user again.
  if (request.prompt.includes('consent')) return false
  // Hydra: the user always confirms a device in the consent app (RFC 8628 §5.4, remote phishing).
  if (request.device_request_id !== undefined) return false
  // RFC 6749 §10.2: without assured client identity, process the request as if nothing had been approved.
  if (client.token_endpoint_auth_method === 'none' && !isHttpsOrLoopback(request.effective_redirect_uri)) return false
  const now = ctx.clock()
  const covers = scopeStrategy(ctx)
  const flows = await ctx.store.flows.listRememberedFlows(subject, client.client_id)
  return flows.some(
    (f) =>
      (f.remember_for === 0 || f.handled_at + f.remember_for * 1000 > now) &&
      request.scope.every((s) => covers(f.granted_scope, s)) &&
      request.audience.every((a) => audienceAllowed(f.granted_audience, a)),
  )
}

/**
 * After login: seal a consent challenge, set the per-client consent CSRF cookie and send the browser to the
 * consent app (which must accept even when `skip` is true).
 */
export async function requestConsent(
  ctx: FlowContext,
  browser: Browser,
  client: OAuth2Client,
  request: AuthorizationSnapshot,
  loginChallenge: string,
  login: AuthenticatedLogin,
): Promise<Outcome> {
  const consented = await consentSkippable(ctx, client, request, login.subject)
  // Plugins' consent policies may deny, narrow the request, insist on the consent app, or consent themselves.
  const policy = await ctx.consentPolicies.apply({ client, request, login, previouslyConsented: consented })
  request = policy.request
  // Nor does a policy consent to a device for the user: the consent app always asks (deny and narrow still apply).
  const grant = request.device_request_id === undefined ? policy.grant : null
  const skip = !policy.prompt && (policy.narrowed ? await consentSkippable(ctx, client, request, login.subject) : consented)
  // OIDC Core §3.1.2.6: prompt=none cannot be honoured without a consent to reuse.
  if (!skip && !grant && request.prompt.includes('none')) {
    throw ConsentRequired.with({ hint: "Prompt 'none' was requested, but no previous consent was found." })
  }
  const consentUrl = ctx.apps.consent
  if (!consentUrl && !grant) return { kind: 'error_page', error: ServerError.with({ hint: 'urls.consent is not configured.' }) }

  const expiresAt = ctx.clock() + ctx.config.ttl.login_consent_request
  const state: ConsentChallengeState = {
    id: crypto.randomUUID(),
    csrf: newCsrfValue(),
    skip,
    login_challenge: loginChallenge,
    login,
    expires_at: expiresAt,
    request,
    ...(policy.decisions.length ? { policy_decisions: policy.decisions } : {}),
  }
  const challenge = sealChallenge(ctx.sealer, 'consent_challenge', state, expiresAt)
  if (challenge.length > MAX_CHALLENGE_LENGTH) throw InvalidRequest.with({ hint: 'The login context is too large to carry on.' })
  browser.writeCsrf('consent', client.client_id, state.csrf)
  if (grant) return { kind: 'redirect', location: acceptedByPolicy(ctx, state, grant) }
  const url = new URL(consentUrl!)
  url.searchParams.set('consent_challenge', challenge)
  return { kind: 'redirect', location: url.href }
}

/**
 * Consent given by a policy: a consent verifier sealed as the consent app's accept would have produced, for the
 * browser to bring back to the authorization endpoint (which stores the flow once and issues the code).
 */
function acceptedByPolicy(ctx: FlowContext, challenge: ConsentChallengeState, grant: PolicyGrant): string {
  const accepted: ConsentAcceptance = { ...grant, context: null, handled_at: ctx.clock() }
  return verifierRedirect(ctx, CONSENT, challenge, { accepted })
}
