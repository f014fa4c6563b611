/** RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1, OIDC Core §3.1.2.6 and Hydra's own error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'unsupported_token_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'account_selection_required'
  | 'invalid_request_uri'
  | 'invalid_request_object'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_state'
  | 'request_forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'

export interface OAuthErrorFields {
  description?: string
  hint?: string
  debug?: string
  status?: number
  cause?: unknown
  headers?: Record<string, string>
}

/** The one error type of the protocol and admin surfaces; copies on change, so module-level sentinels stay intact. */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode
  readonly description: string
  readonly status: number
  readonly hint: string | undefined
  readonly debug: string | undefined
  readonly headers: Record<string, string> | undefined

  constructor(error: OAuthErrorCode, status: number, description: string, fields: OAuthErrorFields = {}) {
    super(fields.description ?? description, fields.cause === undefined ? undefined : { cause: fields.cause })
    this.name = 'OAuthError'
    this.error = error
    this.status = fields.status ?? status
    this.description = fields.description ?? description
    this.hint = fields.hint
    this.debug = fields.debug
    this.headers = fields.headers
  }

  with(fields: OAuthErrorFields): OAuthError {
    return new OAuthError(this.error, this.status, this.description, {
      hint: this.hint,
      debug: this.debug,
      headers: this.headers,
      ...fields,
    })
  }

  /** `error_description` as Hydra renders it: the description with the hint appended. */
  get fullDescription(): string {
    return this.hint ? `${this.description} ${this.hint}` : this.description
  }
}

const E = (error: OAuthErrorCode, status: number, description: string) => new OAuthError(error, status, description)

export const InvalidRequest = E(
  'invalid_request',
  400,
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
)
export const InvalidClient = E(
  'invalid_client',
  401,
  'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).',
)
export const InvalidGrant = E(
  'invalid_grant',
  400,
  'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
)
export const UnauthorizedClient = E(
  'unauthorized_client',
  400,
  'The client is not authorized to request a token using this method.',
)
export const UnsupportedGrantType = E(
  'unsupported_grant_type',
  400,
  'The authorization grant type is not supported by the authorization server.',
)
export const UnsupportedResponseType = E(
  'unsupported_response_type',
  400,
  'The authorization server does not support obtaining a token using this method.',
)
export const UnsupportedTokenType = E(
  'unsupported_token_type',
  400,
  'The authorization server does not support the revocation of the presented token type.',
)
export const InvalidScope = E(
  'invalid_scope',
  400,
  'The requested scope is invalid, unknown, or malformed.',
)
export const InvalidTarget = E('invalid_target', 400, 'The requested audience is invalid, unknown, or malformed.')
export const AccessDenied = E(
  'access_denied',
  403,
  'The resource owner or authorization server denied the request.',
)
export const InvalidToken = E('invalid_token', 401, 'The access token is invalid, expired or revoked.')
export const InsufficientScope = E(
  'insufficient_scope',
  403,
  'The request requires higher privileges than provided by the access token.',
)
export const RequestForbidden = E('request_forbidden', 403, 'The request is not allowed.')
export const NotFound = E('not_found', 404, 'The requested resource could not be found.')
export const Conflict = E('conflict', 409, 'The resource could not be created because it already exists.')
export const MethodNotAllowed = E('method_not_allowed', 405, 'The request method is not allowed on this resource.')
export const PayloadTooLarge = E('payload_too_large', 413, 'The request body is too large.')
export const ServerError = E(
  'server_error',
  500,
  'The authorization server encountered an unexpected condition that prevented it from fulfilling the request.',
)
export const TemporarilyUnavailable = E(
  'temporarily_unavailable',
  503,
  'The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.',
)
export const InvalidClientMetadata = E(
  'invalid_client_metadata',
  400,
  'The value of one of the Client Metadata fields is invalid and the server has rejected this request.',
)

/** RFC 8628 §3.5 authorization_pending: the user has not finished at the verification URI yet; keep polling. */
export const AuthorizationPending = E(
  'authorization_pending',
  400,
  'The end user has not finished authorizing the device yet; poll again after the interval.',
)

/** RFC 8628 §3.5 slow_down: still pending, and the client polled too soon; its interval grew by 5 seconds. */
export const SlowDown = E('slow_down', 400, 'The authorization is still pending, and the client polled sooner than its interval allows.')

/** RFC 8628 §3.5 expired_token: the device code expired; the client may start a new device authorization. */
export const ExpiredToken = E('expired_token', 400, 'The device code has expired; start a new device authorization.')

/** OIDC Core §3.1.2.6 login_required. */
export const LoginRequired = new OAuthError('login_required', 400, 'The Authorization Server requires End-User authentication.')

/** OIDC Core §3.1.2.6 consent_required. */
export const ConsentRequired = new OAuthError('consent_required', 400, 'The Authorization Server requires End-User consent.')
