import type { OAuth2Client } from '../../protocol/client.ts'
import type { OAuth2Context } from '../context.ts'
import type { Params } from '../../protocol/params.ts'
import type { ResponseMode } from '../response_modes/index.ts'

/** An authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) as the checks validate it, one field at a time. */
export interface AuthorizationRequest {
  readonly ctx: OAuth2Context
  /** The query or form; once a request object is verified, its parameters instead (RFC 9101 §6.3). */
  params: Params
  /** The request object fetched from `request_uri` (RFC 9101 §5.2), verified as a `request` by value is. */
  fetchedRequestObject: string | null
  /** When the request arrived (epoch ms). */
  readonly requestedAt: number
  client?: OAuth2Client
  /** The redirect URI the response goes to. Set once client_id and redirect_uri are valid: from then on errors go there. */
  redirectUri?: string
  responseMode: ResponseMode
  state: string | null
  scope: string[]
  audience: string[]
  nonce: string | null
  codeChallenge: string | null
  codeChallengeMethod: 'S256' | null
  prompt: string[]
  /** Seconds, or null when absent. */
  maxAge: number | null
  /** Claims of a verified `id_token_hint`. */
  idTokenHintClaims: Record<string, unknown> | null
}

/** One rule of the authorization endpoint; throws an OAuthError when the request breaks it. */
export type Check = (r: AuthorizationRequest) => void | Promise<void>

/** A new request with nothing validated yet. */
export const newAuthorizationRequest = (ctx: OAuth2Context, params: Params, requestedAt: number): AuthorizationRequest => ({
  ctx,
  params,
  fetchedRequestObject: null,
  requestedAt,
  responseMode: 'query',
  // Known from the start so that every error response echoes it (RFC 6749 §4.1.2.1).
  state: params.get('state') ?? null,
  scope: [],
  audience: [],
  nonce: null,
  codeChallenge: null,
  codeChallengeMethod: null,
  prompt: [],
  maxAge: null,
  idTokenHintClaims: null,
})

/** The entropy fosite asks of `state` and `nonce`: at least 8 characters. */
export const MIN_PARAMETER_ENTROPY = 8
