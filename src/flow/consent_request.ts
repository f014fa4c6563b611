import type { Static } from '@sinclair/typebox'
import type { FlowContext } from './context.ts'
import { InvalidRequest, NotFound } from '../protocol/errors.ts'
import { clientScopes, scopeStrategy } from '../oauth2/scope.ts'
import { ConsentAcceptBody, RejectBody, denialOf, parseBody } from './admin_bodies.ts'
import { flowClient, handOut, withParam } from './admin_common.ts'
import { openChallenge, sealChallenge } from './challenge.ts'
import { gone, handledRedirect, type AdminResult } from './handled.ts'
import type { ConsentAcceptance, ConsentChallengeState, ConsentVerifierState, Denial } from './state.ts'

const handledId = (s: ConsentChallengeState) => `cc:${s.id}`

function openConsent(ctx: FlowContext, challenge: string): ConsentChallengeState {
  const state = openChallenge<ConsentChallengeState>(ctx.sealer, 'consent_challenge', challenge, ctx.clock())
  if (!state) throw NotFound.with({ hint: 'The consent challenge is invalid, expired or was tampered with.' })
  return state
}

/** `GET /admin/oauth2/auth/requests/consent`: Hydra's oAuth2ConsentRequest, or 410 once handled. */
export async function getConsentRequest(ctx: FlowContext, challenge: string): Promise<AdminResult> {
  const state = openConsent(ctx, challenge)
  const previous = await handledRedirect(ctx, handledId(state))
  if (previous !== null) return gone(previous)
  const { request, login } = state
  return {
    status: 200,
    body: {
      challenge,
      consent_request_id: state.id,
      requested_scope: request.scope,
      requested_access_token_audience: request.audience,
      skip: state.skip,
      subject: login.subject,
      oidc_context: request.oidc_context,
      client: await flowClient(ctx, request.client_id),
      request_url: request.request_url,
      login_challenge: state.login_challenge,
      login_session_id: login.sid,
      acr: login.acr,
      amr: login.amr,
      context: login.context,
      ...(state.policy_decisions ? { policy_decisions: state.policy_decisions } : {}),
    },
  }
}

function consentVerifier(ctx: FlowContext, state: ConsentChallengeState, outcome: { accepted: ConsentAcceptance } | { denied: Denial }) {
  const verifier: ConsentVerifierState = { id: crypto.randomUUID(), challenge: state, ...outcome }
  const sealed = sealChallenge(ctx.sealer, 'consent_verifier', verifier, ctx.clock() + ctx.config.ttl.login_consent_request)
  return withParam(state.request.request_url, 'consent_verifier', sealed)
}

/** `PUT /admin/oauth2/auth/requests/consent/accept`: the user granted `grant_scope` and `grant_access_token_audience`. */
export async function acceptConsentRequest(ctx: FlowContext, challenge: string, body: unknown): Promise<AdminResult> {
  const state = openConsent(ctx, challenge)
  const input = parseBody(ConsentAcceptBody, body)
  return handOut(ctx, handledId(state), state.expires_at, () => acceptedVerifier(ctx, state, input))
}

async function acceptedVerifier(ctx: FlowContext, state: ConsentChallengeState, input: Static<typeof ConsentAcceptBody>): Promise<string> {
  const client = await flowClient(ctx, state.request.client_id)
  const grantScope = [...new Set(input.grant_scope ?? [])]
  const allows = scopeStrategy(ctx)
  const allowed = clientScopes(client.scope)
  for (const scope of grantScope) {
    // RFC 6749 §3.3: a client never receives a scope it may not request.
    if (!allows(allowed, scope)) throw InvalidRequest.with({ hint: `The OAuth 2.0 Client may not be granted scope "${scope}".` })
  }
  const accepted: ConsentAcceptance = {
    grant_scope: grantScope,
    grant_access_token_audience: [...new Set(input.grant_access_token_audience ?? [])],
    remember: input.remember ?? false,
    remember_for: input.remember_for ?? 0,
    session: { access_token: input.session?.access_token ?? {}, id_token: input.session?.id_token ?? {} },
    context: input.context ?? null,
    handled_at: ctx.clock(),
  }
  return consentVerifier(ctx, state, { accepted })
}

/** `PUT /admin/oauth2/auth/requests/consent/reject`: the client receives the error of the body. */
export async function rejectConsentRequest(ctx: FlowContext, challenge: string, body: unknown): Promise<AdminResult> {
  const state = openConsent(ctx, challenge)
  const denied = denialOf(parseBody(RejectBody, body), 'consent request denied')
  return handOut(ctx, handledId(state), state.expires_at, () => consentVerifier(ctx, state, { denied }))
}
