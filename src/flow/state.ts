import { randomBytes } from 'node:crypto'
import type { AuthorizationRequest } from '../oauth2/checks/authorization_request.ts'
import type { ResponseMode, ResponseTarget } from '../oauth2/response_modes/index.ts'

/** OIDC parameters the login and consent apps see as `oidc_context` (Hydra's shape; empty fields left out). */
export interface OidcContext {
  acr_values?: string[]
  display?: string
  id_token_hint_claims?: Record<string, unknown>
  login_hint?: string
  ui_locales?: string[]
}

/** The validated authorization request, sealed into every challenge and verifier of its flow. */
export interface AuthorizationSnapshot {
  client_id: string
  /** `redirect_uri` exactly as sent; null when omitted. */
  redirect_uri: string | null
  effective_redirect_uri: string
  response_mode: ResponseMode
  state: string | null
  nonce: string | null
  code_challenge: string | null
  code_challenge_method: 'S256' | null
  scope: string[]
  audience: string[]
  prompt: string[]
  max_age: number | null
  /** The authorization URL the browser returns to with a verifier. */
  request_url: string
  /** Epoch ms. */
  requested_at: number
  oidc_context: OidcContext
  /** The device authorization a device flow completes (RFC 8628; its request id); absent for an authorization request. */
  device_request_id?: string
}

/** A login challenge: the request, the remembered session found (skip) and the CSRF value of the login cookie. */
export interface LoginChallengeState {
  id: string
  csrf: string
  skip: boolean
  /** The remembered session's subject when skip; '' otherwise. */
  subject: string
  /** The login session id: the remembered session's when skip, else a new one. */
  sid: string
  /** When the remembered session authenticated (epoch ms); null when not skip. */
  auth_time: number | null
  expires_at: number
  request: AuthorizationSnapshot
}

/** What a login or consent reject sends to the client (RFC 6749 §4.1.2.1). */
export interface Denial {
  error: string
  error_description: string
}

/** Login accept body after validation. */
export interface LoginAcceptance {
  subject: string
  remember: boolean
  /** Seconds; 0 = ttl.authentication_session. */
  remember_for: number
  acr: string
  amr: string[]
  context: unknown
  force_subject_identifier: string
  identity_provider_session_id: string
  extend_session_lifespan: boolean
  /** Epoch ms. */
  authenticated_at: number
}

/** What a login accept or reject settles to; sealed with the challenge into the login verifier. */
export interface LoginOutcome {
  accepted?: LoginAcceptance
  denied?: Denial
}

export interface LoginVerifierState extends LoginOutcome {
  id: string
  challenge: LoginChallengeState
}

/** The authenticated user a consent request is about. */
export interface AuthenticatedLogin {
  subject: string
  sid: string
  /** Epoch ms. */
  auth_time: number
  acr: string
  amr: string[]
  context: unknown
  force_subject_identifier: string
}

export interface ConsentChallengeState {
  /** The consent request id: the id of the flow stored when the consent verifier is redeemed. */
  id: string
  csrf: string
  skip: boolean
  /** Id of the login challenge that led here. */
  login_challenge: string
  login: AuthenticatedLogin
  expires_at: number
  request: AuthorizationSnapshot
  /** Verdicts of plugins' consent policies on this request (shown to the consent app). */
  policy_decisions?: { plugin: string; policy: string; action: string; reason?: string }[]
}

/** Consent accept body after validation. */
export interface ConsentAcceptance {
  grant_scope: string[]
  grant_access_token_audience: string[]
  remember: boolean
  /** Seconds; 0 = forever. */
  remember_for: number
  session: { access_token: Record<string, unknown>; id_token: Record<string, unknown> }
  context: unknown
  /** Epoch ms. */
  handled_at: number
}

/** What a consent accept or reject (or a consent policy) settles to; sealed into the consent verifier. */
export interface ConsentOutcome {
  accepted?: ConsentAcceptance
  denied?: Denial
}

export interface ConsentVerifierState extends ConsentOutcome {
  id: string
  challenge: ConsentChallengeState
}

/** `FlowRow.data` of a flow stored when a consent verifier is redeemed. */
export interface FlowData {
  consent_request: {
    challenge_id: string
    login_challenge: string
    requested_scope: string[]
    requested_access_token_audience: string[]
    request_url: string
    requested_at: number
    oidc_context: OidcContext
    skip: boolean
  }
  acr: string
  amr: string[]
  auth_time: number
  force_subject_identifier: string
  login_context: unknown
  context: unknown
  session: { access_token: Record<string, unknown>; id_token: Record<string, unknown> }
}

/** A fresh CSRF value: 32 hex characters, as Hydra's. */
export const newCsrfValue = () => randomBytes(16).toString('hex')

const VERIFIER_PARAMS = new Set(['login_verifier', 'consent_verifier'])

const split = (value: string | undefined) => (value ?? '').split(' ').filter(Boolean)

/** Freezes a request that passed every check into the snapshot that travels with its flow. */
export function snapshotOf(r: AuthorizationRequest): AuthorizationSnapshot {
  const query = new URLSearchParams([...r.params].filter(([name]) => !VERIFIER_PARAMS.has(name)))
  const p = r.params
  const oidc: OidcContext = {}
  if (p.get('acr_values')) oidc.acr_values = split(p.get('acr_values'))
  if (p.get('display')) oidc.display = p.get('display')!
  if (r.idTokenHintClaims) oidc.id_token_hint_claims = r.idTokenHintClaims
  if (p.get('login_hint')) oidc.login_hint = p.get('login_hint')!
  if (p.get('ui_locales')) oidc.ui_locales = split(p.get('ui_locales'))
  return {
    client_id: r.client!.client_id,
    redirect_uri: p.get('redirect_uri') ?? null,
    effective_redirect_uri: r.redirectUri!,
    response_mode: r.responseMode,
    state: r.state,
    nonce: r.nonce,
    code_challenge: r.codeChallenge,
    code_challenge_method: r.codeChallengeMethod,
    scope: r.scope,
    audience: r.audience,
    prompt: r.prompt,
    max_age: r.maxAge,
    request_url: `${r.ctx.publicUrl}/oauth2/auth?${query}`,
    requested_at: r.requestedAt,
    oidc_context: oidc,
  }
}

/** Where the flow's authorization response goes. */
export const targetOf = (s: AuthorizationSnapshot): ResponseTarget => ({
  redirect_uri: s.effective_redirect_uri,
  response_mode: s.response_mode,
  state: s.state,
})

/** A device verification (RFC 8628 §3.3), sealed into the device challenge: the CSRF value of the device cookie. */
export interface DeviceChallengeState {
  id: string
  csrf: string
  expires_at: number
}

/** The device authorization a user code named, sealed into the device verifier. */
export interface DeviceAcceptance {
  request_id: string
  client_id: string
  requested_scope: string[]
  requested_audience: string[]
  /** When the device asked (epoch ms): the ID token's `rat`. */
  requested_at: number
}

/** What a device challenge settles to: the user code was accepted (there is no reject). */
export interface DeviceOutcome {
  accepted: DeviceAcceptance
}

/** A logout request, sealed into the logout challenge (nothing is stored until it is handled). */
export interface LogoutChallengeState {
  id: string
  /** The local subject of the login session. */
  subject: string
  /** The login session to end. */
  sid: string
  /** The end-session URL as requested. */
  request_url: string
  /** True when a client asked with an id_token_hint (RP-initiated), false when the OP's own link did. */
  rp_initiated: boolean
  client_id: string | null
  /** Where the browser goes once logged out (with `state` applied); null: the built-in signed-out page. */
  post_logout_redirect_uri: string | null
  state: string | null
  /** Epoch ms. */
  requested_at: number
  expires_at: number
}

/** An accepted logout challenge, sealed into the logout verifier the browser returns with. */
export interface LogoutVerifierState {
  id: string
  challenge: LogoutChallengeState
}
