import type { OAuth2Client } from '../protocol/client.ts'
import type { FlowContext } from './context.ts'
import type { AuthorizeSession, CodeIssue } from '../oauth2/authorize_session.ts'
import { mintAuthorizationCode } from '../oauth2/authorization_code.ts'
import { AccessDenied } from '../protocol/errors.ts'
import { authorizationError, authorizationResponse } from '../oauth2/response_modes/index.ts'
import { StoreError, type FlowRow, type Store } from '../store/types.ts'
import { seconds } from '../util/clock.ts'
import type { Browser } from './browser.ts'
import { openVerifier, spendVerifier } from './challenge.ts'
import { CONSENT } from './consent_request.ts'
import { returnFailure } from './csrf.ts'
import { checkFlowEnd, type FlowEnd } from './flow_end.ts'
import { targetOf, type ConsentAcceptance, type ConsentChallengeState, type FlowData } from './state.ts'
import type { Outcome } from '../protocol/outcome.ts'

/** The flow stored once when a consent is given. */
export function flowRow(ch: ConsentChallengeState, a: ConsentAcceptance): FlowRow {
  const data: FlowData = {
    consent_request: {
      challenge_id: ch.id,
      login_challenge: ch.login_challenge,
      requested_scope: ch.request.scope,
      requested_access_token_audience: ch.request.audience,
      request_url: ch.request.request_url,
      requested_at: ch.request.requested_at,
      oidc_context: ch.request.oidc_context,
      skip: ch.skip,
    },
    acr: ch.login.acr,
    amr: ch.login.amr,
    auth_time: ch.login.auth_time,
    force_subject_identifier: ch.login.force_subject_identifier,
    login_context: ch.login.context,
    context: a.context,
    session: a.session,
  }
  return {
    id: ch.id,
    client_id: ch.request.client_id,
    subject: ch.login.subject,
    login_session_id: ch.login.sid,
    granted_scope: a.grant_scope,
    granted_audience: a.grant_access_token_audience,
    remember: a.remember,
    remember_for: a.remember_for,
    handled_at: a.handled_at,
    data: data as unknown as Record<string, unknown>,
    // Tokens of the grant refer to the flow for as long as they live, refresh rotation included: it never expires.
    expires_at: null,
  }
}

function codeIssue(client: OAuth2Client, ch: ConsentChallengeState, a: ConsentAcceptance): CodeIssue {
  const req = ch.request
  return {
    client,
    granted_scope: a.grant_scope,
    granted_audience: a.grant_access_token_audience,
    requested_scope: req.scope,
    requested_audience: req.audience,
    session: authorizeSessionOf(ch, a),
  }
}

/** What the login and consent of a flow leave with its grant: the authentication, the consent's claims, the request. */
export function authorizeSessionOf(ch: ConsentChallengeState, a: ConsentAcceptance): AuthorizeSession {
  const req = ch.request
  return {
    redirect_uri: req.redirect_uri,
    effective_redirect_uri: req.effective_redirect_uri,
    code_challenge: req.code_challenge,
    code_challenge_method: req.code_challenge_method,
    nonce: req.nonce,
    subject: ch.login.subject,
    force_subject_identifier: ch.login.force_subject_identifier || null,
    sid: ch.login.sid,
    auth_time: seconds(ch.login.auth_time),
    requested_at: seconds(req.requested_at),
    acr: ch.login.acr,
    amr: ch.login.amr,
    id_token_claims: a.session.id_token,
    access_token_claims: a.session.access_token,
    consent_request_id: ch.id,
  }
}

/** Stores a given consent's flow; access_denied when it was stored before (its verifier was used). */
export async function storeFlowOnce(store: Store, row: FlowRow): Promise<void> {
  try {
    await store.flows.insertFlow(row)
  } catch (err) {
    if (err instanceof StoreError && err.code === 'conflict') throw AccessDenied.with({ hint: CONSENT.hints.used })
    throw err
  }
}

/**
 * The authorization endpoint's end of a flow: the client's error, or the authorization code in the requested
 * response mode once the finished flow is stored.
 */
export const AUTHORIZATION_END: FlowEnd = {
  serves: (request) => request.device_request_id === undefined,
  denied: async (ctx, request, denial) => authorizationError(ctx, targetOf(request), denial),
  async consented(ctx, client, challenge, accepted) {
    await storeFlowOnce(ctx.store, flowRow(challenge, accepted))
    const code = await mintAuthorizationCode(ctx, codeIssue(client, challenge, accepted))
    // RFC 6749 §4.1.2: code and state; RFC 9207: iss.
    return authorizationResponse(ctx, targetOf(challenge.request), [['code', code]])
  },
}

/**
 * The browser is back from the consent app with a consent verifier: it must be ours, for this client, from this
 * browser (consent CSRF cookie), and of a flow that ends at this endpoint; then the flow ends as `end` says.
 */
export async function verifyConsent(ctx: FlowContext, client: OAuth2Client, browser: Browser, verifier: string, end: FlowEnd): Promise<Outcome> {
  const v = openVerifier(ctx, CONSENT, verifier)
  const { challenge } = v
  checkFlowEnd(end, challenge.request, CONSENT.hints.verifier)
  const forbidden = returnFailure(browser, 'consent', client, challenge)
  if (forbidden) return forbidden
  if (v.denied) {
    await spendVerifier(ctx, CONSENT, v)
    return end.denied(ctx, challenge.request, v.denied)
  }
  return end.consented(ctx, client, challenge, v.accepted!)
}
