import type { OAuth2Client } from '../protocol/client.ts'
import type { FlowContext } from './context.ts'
import { handOut, withParam } from './admin_common.ts'
import { openChallenge, sealChallenge } from './challenge.ts'
import { gone, handledRedirect, recordHandled, type AdminResult } from './handled.ts'
import { NotFound } from '../protocol/errors.ts'
import type { LogoutChallengeState, LogoutVerifierState } from './logout_state.ts'

const handledId = (s: LogoutChallengeState) => `lc:${s.id}`

function openLogout(ctx: FlowContext, challenge: string): LogoutChallengeState {
  const state = openChallenge<LogoutChallengeState>(ctx.sealer, 'logout_challenge', challenge, ctx.clock())
  if (!state) throw NotFound.with({ hint: 'The logout challenge is invalid, expired or was tampered with.' })
  return state
}

async function clientOf(ctx: FlowContext, clientId: string | null): Promise<OAuth2Client | null> {
  if (clientId === null) return null
  return (await ctx.clients.get(clientId))?.client ?? null
}

/** `GET /admin/oauth2/auth/requests/logout`: Hydra's oAuth2LogoutRequest, or 410 once accepted or rejected. */
export async function getLogoutRequest(ctx: FlowContext, challenge: string): Promise<AdminResult> {
  const state = openLogout(ctx, challenge)
  const previous = await handledRedirect(ctx, handledId(state))
  if (previous !== null) return gone(previous)
  return {
    status: 200,
    body: {
      challenge,
      subject: state.subject,
      sid: state.sid,
      request_url: state.request_url,
      rp_initiated: state.rp_initiated,
      client: await clientOf(ctx, state.client_id),
      requested_at: new Date(state.requested_at).toISOString(),
      expires_at: new Date(state.expires_at).toISOString(),
    },
  }
}

/** `PUT /admin/oauth2/auth/requests/logout/accept`: the user confirmed; the browser completes the logout with a verifier. */
export async function acceptLogoutRequest(ctx: FlowContext, challenge: string): Promise<AdminResult> {
  const state = openLogout(ctx, challenge)
  return handOut(ctx, handledId(state), state.expires_at, () => {
    const verifier: LogoutVerifierState = { id: crypto.randomUUID(), challenge: state }
    const sealed = sealChallenge(ctx.sealer, 'logout_verifier', verifier, ctx.clock() + ctx.config.ttl.login_consent_request)
    return withParam(`${ctx.publicUrl}/oauth2/sessions/logout`, 'logout_verifier', sealed)
  })
}

/**
 * `PUT /admin/oauth2/auth/requests/logout/reject`: the user stays logged in (204); the logout app takes the browser
 * wherever it likes. Later calls with the challenge answer 410 with the request's post-logout redirect ('' if none).
 */
export async function rejectLogoutRequest(ctx: FlowContext, challenge: string): Promise<AdminResult> {
  const state = openLogout(ctx, challenge)
  const previous = await recordHandled(ctx, handledId(state), state.post_logout_redirect_uri ?? '', state.expires_at)
  return previous === null ? { status: 204, body: null } : gone(previous)
}
