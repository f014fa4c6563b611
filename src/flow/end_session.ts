import type { FlowContext } from './context.ts'
import type { Browser } from './browser.ts'
import { sealChallenge } from './challenge.ts'
import { hintNamesSubject } from './login_session.ts'
import type { Params } from '../protocol/params.ts'
import { InvalidRequest, OAuthError, ServerError } from '../protocol/errors.ts'
import { untrustedError } from '../oauth2/response_modes/index.ts'
import type { LoginSessionRow } from '../store/types.ts'
import { logoutPage } from '../oidc/logout/frontchannel.ts'
import { verifyLogoutHint } from './logout_hint.ts'
import { completeLogout } from './logout_verifier.ts'
import type { LogoutChallengeState } from './state.ts'
import type { Outcome } from '../protocol/outcome.ts'

type NewChallenge = Omit<LogoutChallengeState, 'id' | 'request_url' | 'requested_at' | 'expires_at'>

const param = (params: Params, name: string) => params.get(name) || undefined

async function liveSession(ctx: FlowContext, sid: string): Promise<LoginSessionRow | null> {
  const session = await ctx.store.flows.getLoginSession(sid)
  return session && session.expires_at > ctx.clock() ? session : null
}

/** Seals the logout challenge and sends the browser to the logout app. */
function askLogoutApp(ctx: FlowContext, params: Params, c: NewChallenge): Outcome {
  const app = ctx.apps.logout
  if (!app) return { kind: 'error_page', error: ServerError.with({ hint: 'urls.logout is not configured.' }) }
  const now = ctx.clock()
  const query = new URLSearchParams([...params]).toString()
  const state: LogoutChallengeState = {
    id: crypto.randomUUID(),
    ...c,
    request_url: `${ctx.publicUrl}/oauth2/sessions/logout${query ? `?${query}` : ''}`,
    requested_at: now,
    expires_at: now + ctx.config.ttl.login_consent_request,
  }
  const url = new URL(app)
  url.searchParams.set('logout_challenge', sealChallenge(ctx.sealer, 'logout_challenge', state, state.expires_at))
  return { kind: 'redirect', location: url.href }
}

/** OP-initiated logout: the browser's session cookie names the session; without one there is nobody to log out. */
async function opInitiated(ctx: FlowContext, params: Params, browser: Browser): Promise<Outcome> {
  // Hydra: state and post_logout_redirect_uri belong to RP-initiated logout, which identifies itself by id_token_hint.
  if (param(params, 'state')) {
    throw InvalidRequest.with({ hint: 'Logout failed because query parameter state is set but id_token_hint is missing.' })
  }
  if (param(params, 'post_logout_redirect_uri')) {
    throw InvalidRequest.with({
      hint: 'Logout failed because query parameter post_logout_redirect_uri is set but id_token_hint is missing.',
    })
  }
  const fallback = ctx.config.urls.post_logout_redirect || null
  const sid = browser.readSessionId()
  const session = sid ? await liveSession(ctx, sid) : null
  if (!session) return logoutPage([], fallback)
  return askLogoutApp(ctx, params, {
    subject: session.subject,
    sid: session.id,
    rp_initiated: false,
    client_id: null,
    post_logout_redirect_uri: fallback,
    state: null,
  })
}

/** RP-initiated logout (OIDC RP-Initiated Logout 1.0 §2, §3): the id_token_hint names the client and the session. */
async function rpInitiated(ctx: FlowContext, params: Params, browser: Browser, hint: string): Promise<Outcome> {
  const { sid, sub, client } = await verifyLogoutHint(ctx, hint, param(params, 'client_id'))
  const state = param(params, 'state') ?? null
  let next = ctx.config.urls.post_logout_redirect || null
  const requested = param(params, 'post_logout_redirect_uri')
  if (requested !== undefined) {
    // OIDC RP-Initiated Logout 1.0 §3: post_logout_redirect_uri MUST exactly match a registered one.
    if (!client.post_logout_redirect_uris.includes(requested)) {
      throw InvalidRequest.with({
        hint: 'Logout failed because query parameter post_logout_redirect_uri is not registered as a post_logout_redirect_uri for the client.',
      })
    }
    const url = new URL(requested)
    // OIDC RP-Initiated Logout 1.0 §2: state is passed back to the RP with the redirect.
    if (state !== null) url.searchParams.set('state', state)
    next = url.href
  }
  const session = await liveSession(ctx, sid)
  const cookieSid = browser.readSessionId()
  // hydra-contract §7: a session that is gone, or another one than this browser's, is not logged out.
  const otherBrowser = cookieSid !== null && cookieSid !== sid
  if (!session || otherBrowser || !(await hintNamesSubject(ctx, client, sub, session.subject))) return logoutPage([], next)
  return askLogoutApp(ctx, params, {
    subject: session.subject,
    sid,
    rp_initiated: true,
    client_id: client.client_id,
    post_logout_redirect_uri: next,
    state,
  })
}

/**
 * `GET|POST /oauth2/sessions/logout` (OIDC RP-Initiated Logout 1.0 end_session_endpoint): starts a logout and
 * sends the browser to the logout app, or completes an accepted one (`logout_verifier`). Errors go to
 * `urls.error` or the error page, never to an unverified redirect URI.
 */
export async function endSession(ctx: FlowContext, readParams: () => Promise<Params>, browser: Browser): Promise<Outcome> {
  try {
    const params = await readParams()
    const verifier = params.get('logout_verifier')
    if (verifier !== undefined) return await completeLogout(ctx, browser, verifier)
    const hint = param(params, 'id_token_hint')
    return await (hint === undefined ? opInitiated(ctx, params, browser) : rpInitiated(ctx, params, browser, hint))
  } catch (err) {
    if (err instanceof OAuthError) return untrustedError(ctx, err)
    throw err
  }
}
