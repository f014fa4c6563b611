import type { FlowContext } from './context.ts'
import { NotFound } from '../protocol/errors.ts'
import { LoginAcceptBody, RejectBody, denialOf, parseBody } from './admin_bodies.ts'
import { flowClient, handOut, withParam } from './admin_common.ts'
import { openChallenge, sealChallenge } from './challenge.ts'
import { gone, handledRedirect, type AdminResult } from './handled.ts'
import type { Denial, LoginAcceptance, LoginChallengeState, LoginVerifierState } from './state.ts'

const handledId = (s: LoginChallengeState) => `lc:${s.id}`

function openLogin(ctx: FlowContext, challenge: string): LoginChallengeState {
  const state = openChallenge<LoginChallengeState>(ctx.sealer, 'login_challenge', challenge, ctx.clock())
  if (!state) throw NotFound.with({ hint: 'The login challenge is invalid, expired or was tampered with.' })
  return state
}

/** `GET /admin/oauth2/auth/requests/login`: Hydra's oAuth2LoginRequest, or 410 once handled. */
export async function getLoginRequest(ctx: FlowContext, challenge: string): Promise<AdminResult> {
  const state = openLogin(ctx, challenge)
  const previous = await handledRedirect(ctx, handledId(state))
  if (previous !== null) return gone(previous)
  const { request } = state
  return {
    status: 200,
    body: {
      challenge,
      client: await flowClient(ctx, request.client_id),
      request_url: request.request_url,
      requested_scope: request.scope,
      requested_access_token_audience: request.audience,
      skip: state.skip,
      subject: state.subject,
      session_id: state.sid,
      oidc_context: request.oidc_context,
    },
  }
}

function loginVerifier(ctx: FlowContext, state: LoginChallengeState, outcome: { accepted: LoginAcceptance } | { denied: Denial }) {
  const now = ctx.clock()
  const verifier: LoginVerifierState = { id: crypto.randomUUID(), challenge: state, ...outcome }
  const sealed = sealChallenge(ctx.sealer, 'login_verifier', verifier, now + ctx.config.ttl.login_consent_request)
  return withParam(state.request.request_url, 'login_verifier', sealed)
}

/** The request again with prompt=login, for a login app that authenticated someone else than the remembered subject. */
function reauthenticate(state: LoginChallengeState): string {
  const others = state.request.prompt.filter((p) => p !== 'none' && p !== 'login' && p !== 'select_account')
  return withParam(state.request.request_url, 'prompt', ['login', ...others].join(' '))
}

/** `PUT /admin/oauth2/auth/requests/login/accept`: the login app authenticated `subject`. */
export async function acceptLoginRequest(ctx: FlowContext, challenge: string, body: unknown): Promise<AdminResult> {
  const state = openLogin(ctx, challenge)
  const input = parseBody(LoginAcceptBody, body)
  if (state.skip && input.subject !== state.subject) return handOut(ctx, handledId(state), state.expires_at, () => reauthenticate(state))
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
  return handOut(ctx, handledId(state), state.expires_at, () => loginVerifier(ctx, state, { accepted }))
}

/** `PUT /admin/oauth2/auth/requests/login/reject`: the client receives the error of the body. */
export async function rejectLoginRequest(ctx: FlowContext, challenge: string, body: unknown): Promise<AdminResult> {
  const state = openLogin(ctx, challenge)
  const denied = denialOf(parseBody(RejectBody, body), 'login request denied')
  return handOut(ctx, handledId(state), state.expires_at, () => loginVerifier(ctx, state, { denied }))
}
