import type { Static } from '@sinclair/typebox'
import { scopeNotAllowed } from '../oauth2/scope.ts'
import { InvalidRequest } from '../protocol/errors.ts'
import { ConsentAcceptBody, RejectBody, denialOf, parseBody } from './admin_bodies.ts'
import { flowClient, type ChallengeKind } from './challenge.ts'
import type { FlowContext } from './context.ts'
import type { ConsentAcceptance, ConsentChallengeState, ConsentOutcome } from './state.ts'

async function acceptance(ctx: FlowContext, state: ConsentChallengeState, input: Static<typeof ConsentAcceptBody>): Promise<ConsentAcceptance> {
  const client = await flowClient(ctx, state.request.client_id)
  const grantScope = [...new Set(input.grant_scope ?? [])]
  // RFC 6749 §3.3: a client never receives a scope it may not request.
  const refused = scopeNotAllowed(ctx, client, grantScope)
  if (refused !== undefined) throw InvalidRequest.with({ hint: `The OAuth 2.0 Client may not be granted scope "${refused}".` })
  return {
    grant_scope: grantScope,
    grant_access_token_audience: [...new Set(input.grant_access_token_audience ?? [])],
    remember: input.remember ?? false,
    remember_for: input.remember_for ?? 0,
    session: { access_token: input.session?.access_token ?? {}, id_token: input.session?.id_token ?? {} },
    context: input.context ?? null,
    handled_at: ctx.clock(),
  }
}

/**
 * Hydra's consent request: the consent app grants scopes and audiences (accept) or refuses (reject, the client
 * receives its error); the verifier leads back to the authorization endpoint, which issues the code.
 */
export const CONSENT: ChallengeKind<ConsentChallengeState, ConsentOutcome> = {
  name: 'consent',
  body: true,
  hints: {
    challenge: 'The consent challenge is invalid, expired or was tampered with.',
    verifier: 'The consent verifier has already been used, has not been granted, or is invalid.',
    used: 'The consent verifier has already been used.',
  },
  describe: async (ctx, challenge, state) => {
    const { request, login } = state
    return {
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
    }
  },
  returnUrl: (_ctx, state) => state.request.request_url,
  accept(ctx, state, body) {
    const input = parseBody(ConsentAcceptBody, body)
    return async () => ({ verifier: { accepted: await acceptance(ctx, state, input) } })
  },
  reject(_ctx, _state, body) {
    const denied = denialOf(parseBody(RejectBody, body), 'consent request denied')
    return () => ({ verifier: { denied } })
  },
}
