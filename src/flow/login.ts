import type { FlowContext } from './context.ts'
import type { OAuth2Client } from '../protocol/client.ts'
import type { AuthorizationRequest } from '../oauth2/checks/authorization_request.ts'
import { asksForRegistration } from '../oauth2/checks/check_prompt.ts'
import { InvalidRequest, ServerError, LoginRequired } from '../protocol/errors.ts'
import type { LoginSessionRow } from '../store/types.ts'
import type { Browser } from './browser.ts'
import { MAX_CHALLENGE_LENGTH, sealChallenge } from './challenge.ts'
import { hintNamesSubject, rememberedSession } from './login_session.ts'
import { newCsrfValue, snapshotOf, type AuthorizationSnapshot, type LoginChallengeState } from './state.ts'
import type { Outcome } from '../protocol/outcome.ts'

/** OIDC Core §3.1.2.1 max_age: too long since the session authenticated (max_age=0 behaves as prompt=login). */
const maxAgeElapsed = (maxAge: number, authenticatedAt: number, now: number) =>
  maxAge === 0 || authenticatedAt + maxAge * 1000 < now

/** The remembered session a login may skip to, or null when the user must authenticate (again). */
async function skippableSession(ctx: FlowContext, client: OAuth2Client, r: AuthorizationSnapshot, browser: Browser): Promise<LoginSessionRow | null> {
  const { prompt } = r
  // OIDC Core §3.1.2.1: prompt=login (and select_account) asks for a fresh authentication.
  if (prompt.includes('login') || prompt.includes('select_account')) return null
  const session = await rememberedSession(ctx, browser)
  if (!session) return null
  if (r.max_age !== null && maxAgeElapsed(r.max_age, session.authenticated_at, ctx.clock())) {
    if (prompt.includes('none')) {
      throw LoginRequired.with({ hint: "Request failed because prompt is set to 'none' and authentication time reached 'max_age'." })
    }
    return null
  }
  // OIDC Core §3.1.2.1: the End-User identified by id_token_hint must be the one logged in.
  const hint = r.oidc_context.id_token_hint_claims
  if (hint && !(await hintNamesSubject(ctx, client, hint.sub, session.subject))) {
    throw LoginRequired.with({
      hint: 'Request failed because subject claim from id_token_hint does not match subject from authentication session.',
    })
  }
  return session
}

/**
 * First hop of a new authorization request: seal the request into a login challenge, set the per-client login
 * CSRF cookie and send the browser to the login app (which must accept even when `skip` is true).
 */
export const requestLogin = (ctx: FlowContext, r: AuthorizationRequest, browser: Browser): Promise<Outcome> =>
  startLogin(ctx, browser, r.client!, snapshotOf(r))

/** Sends the browser to the login app for `request` (an authorization request's snapshot, or a device flow's). */
export async function startLogin(ctx: FlowContext, browser: Browser, client: OAuth2Client, request: AuthorizationSnapshot): Promise<Outcome> {
  const session = await skippableSession(ctx, client, request, browser)
  // OIDC Core §3.1.2.6: prompt=none cannot be honoured without a session.
  if (!session && request.prompt.includes('none')) {
    throw LoginRequired.with({ hint: "Prompt 'none' was requested, but no existing login session was found." })
  }
  // Under --dev without a login app of the operator's, the built-in development page.
  const loginUrl = asksForRegistration(request.prompt) ? ctx.apps.registration : ctx.apps.login
  if (!loginUrl) return { kind: 'error_page', error: ServerError.with({ hint: 'urls.login is not configured.' }) }

  const now = ctx.clock()
  const expiresAt = now + ctx.config.ttl.login_consent_request
  const state: LoginChallengeState = {
    id: crypto.randomUUID(),
    csrf: newCsrfValue(),
    skip: session !== null,
    subject: session?.subject ?? '',
    sid: session?.id ?? crypto.randomUUID(),
    auth_time: session?.authenticated_at ?? null,
    expires_at: expiresAt,
    request,
  }
  const challenge = sealChallenge(ctx.sealer, 'login_challenge', state, expiresAt)
  // Half the limit: the verifier carries this state again, behind the request URL.
  if (challenge.length > MAX_CHALLENGE_LENGTH / 2) throw InvalidRequest.with({ hint: 'The authorization request is too large.' })
  browser.writeCsrf('login', state.request.client_id, state.csrf)
  const url = new URL(loginUrl)
  url.searchParams.set('login_challenge', challenge)
  return { kind: 'redirect', location: url.href }
}
