import { withParam } from '../util/with_param.ts'
import { LoginAcceptBody, RejectBody, denialOf, parseBody } from './admin_bodies.ts'
import { flowClient, type ChallengeKind } from './challenge.ts'
import type { LoginAcceptance, LoginChallengeState, LoginOutcome } from './state.ts'

/** The request again with prompt=login, for a login app that authenticated someone else than the remembered subject. */
function reauthenticate(state: LoginChallengeState): string {
  const others = state.request.prompt.filter((p) => p !== 'none' && p !== 'login' && p !== 'select_account')
  return withParam(state.request.request_url, 'prompt', ['login', ...others].join(' '))
}

/**
 * Hydra's login request: the login app authenticates a subject (accept) or refuses (reject, the client receives
 * its error); the verifier leads back to the authorization endpoint.
 */
export const LOGIN: ChallengeKind<LoginChallengeState, LoginOutcome> = {
  name: 'login',
  body: true,
  hints: {
    challenge: 'The login challenge is invalid, expired or was tampered with.',
    verifier: 'The login verifier is invalid.',
    used: 'The login verifier has already been used.',
  },
  describe: async (ctx, challenge, state) => ({
    challenge,
    client: await flowClient(ctx, state.request.client_id),
    request_url: state.request.request_url,
    requested_scope: state.request.scope,
    requested_access_token_audience: state.request.audience,
    skip: state.skip,
    subject: state.subject,
    session_id: state.sid,
    oidc_context: state.request.oidc_context,
  }),
  returnUrl: (_ctx, state) => state.request.request_url,
  accept(ctx, state, body) {
    const input = parseBody(LoginAcceptBody, body)
    if (state.skip && input.subject !== state.subject) return () => ({ redirect: reauthenticate(state) })
    const accepted: LoginAcceptance = {
      subject: input.subject,
      // Hydra: a skipped login stays remembered, so that the next request can skip again.
      remember: state.skip || (input.remember ?? false),
      remember_for: input.remember_for ?? 0,
      acr: input.acr ?? '',
      amr: input.amr ?? [],
      context: input.context ?? null,
      force_subject_identifier: input.force_subject_identifier ?? '',
      identity_provider_session_id: input.identity_provider_session_id ?? '',
      extend_session_lifespan: input.extend_session_lifespan ?? false,
      authenticated_at: state.skip && state.auth_time !== null ? state.auth_time : ctx.clock(),
    }
    return () => ({ verifier: { accepted } })
  },
  reject(_ctx, _state, body) {
    const denied = denialOf(parseBody(RejectBody, body), 'login request denied')
    return () => ({ verifier: { denied } })
  },
}
