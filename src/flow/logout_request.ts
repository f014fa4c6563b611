import type { OAuth2Client } from '../protocol/client.ts'
import type { ChallengeKind } from './challenge.ts'
import type { FlowContext } from './context.ts'
import type { LogoutChallengeState } from './state.ts'

async function clientOf(ctx: FlowContext, clientId: string | null): Promise<OAuth2Client | null> {
  if (clientId === null) return null
  return (await ctx.clients.get(clientId))?.client ?? null
}

/**
 * Hydra's logout request: the user confirms (accept; the browser completes the logout with a verifier at the
 * end-session endpoint) or stays logged in (reject: 204, the logout app takes the browser wherever it likes; later
 * calls answer 410 with the request's post-logout redirect, '' if none). Neither reads a body.
 */
export const LOGOUT: ChallengeKind<LogoutChallengeState, Record<never, never>> = {
  name: 'logout',
  body: false,
  hints: {
    challenge: 'The logout challenge is invalid, expired or was tampered with.',
    verifier: 'The logout verifier is invalid, has expired or was tampered with.',
    used: 'The logout verifier has already been used.',
  },
  describe: async (ctx, challenge, state) => ({
    challenge,
    subject: state.subject,
    sid: state.sid,
    request_url: state.request_url,
    rp_initiated: state.rp_initiated,
    client: await clientOf(ctx, state.client_id),
    requested_at: new Date(state.requested_at).toISOString(),
    expires_at: new Date(state.expires_at).toISOString(),
  }),
  returnUrl: (ctx) => `${ctx.publicUrl}/oauth2/sessions/logout`,
  accept: () => () => ({ verifier: {} }),
  reject: (_ctx, state) => () => ({ stay: state.post_logout_redirect_uri ?? '' }),
}
