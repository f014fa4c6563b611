/** Errors and reserved claims of the plugin SDK; re-exported by `gatehouse/plugin` (api.ts). */
import * as errors from '../protocol/errors.ts'
import type { OAuthErrorCode as CoreErrorCode } from '../protocol/errors.ts'

/**
 * An RFC 6749 §5.2 / OIDC error code (`invalid_grant`, `access_denied`, …).
 * @example
 * ```ts
 * const code: OAuthErrorCode = 'invalid_grant'
 * ```
 */
export type OAuthErrorCode = CoreErrorCode

/**
 * The error type of every Gatehouse response. A plugin that throws an `OAuthError` (from a hook, a grant or a
 * consent policy) has it rendered to the client as is: `error`, `error_description` (the description with
 * the hint appended) and the HTTP `status`. Anything else a plugin throws becomes a 500 `server_error` and
 * is logged with the plugin's name. Prefer the ready-made errors below with `.with({ hint })`.
 * @example
 * ```ts
 * throw new OAuthError('invalid_request', 400, 'The subject_token is missing.')
 * throw InvalidGrant.with({ hint: 'The subject token has expired.' })
 * ```
 */
export const OAuthError = errors.OAuthError
/** An instance of {@link OAuthError}. */
export type OAuthError = errors.OAuthError

/**
 * 400 `invalid_request`: a parameter is missing, invalid or malformed.
 * @example
 * ```ts
 * throw InvalidRequest.with({ hint: 'The "subject_token" parameter is missing.' })
 * ```
 */
export const InvalidRequest: OAuthError = errors.InvalidRequest

/**
 * 400 `invalid_grant`: the grant or credential presented is invalid, expired or revoked.
 * @example
 * ```ts
 * throw InvalidGrant.with({ hint: 'The device code has expired.' })
 * ```
 */
export const InvalidGrant: OAuthError = errors.InvalidGrant

/**
 * 400 `invalid_scope`: a requested scope is unknown or not allowed.
 * @example
 * ```ts
 * throw InvalidScope.with({ hint: 'Scope "admin" is not available to this grant.' })
 * ```
 */
export const InvalidScope: OAuthError = errors.InvalidScope

/**
 * 400 `invalid_target` (RFC 8707, RFC 8693): a requested audience or resource is not acceptable.
 * @example
 * ```ts
 * throw InvalidTarget.with({ hint: 'Resource "https://other.example" is not served.' })
 * ```
 */
export const InvalidTarget: OAuthError = errors.InvalidTarget

/**
 * 401 `invalid_client`: the client could not be authenticated.
 * @example
 * ```ts
 * throw InvalidClient.with({ hint: 'This grant needs an authenticated client.' })
 * ```
 */
export const InvalidClient: OAuthError = errors.InvalidClient

/**
 * 400 `unauthorized_client`: the client may not use this grant or feature.
 * @example
 * ```ts
 * throw UnauthorizedClient.with({ hint: 'Only first-party clients may exchange tokens.' })
 * ```
 */
export const UnauthorizedClient: OAuthError = errors.UnauthorizedClient

/**
 * 403 `access_denied`: the resource owner or a policy denied the request.
 * @example
 * ```ts
 * throw AccessDenied.with({ hint: 'The account is locked.' })
 * ```
 */
export const AccessDenied: OAuthError = errors.AccessDenied

/**
 * 500 `server_error`: the plugin cannot complete the request. The description is fixed; put details
 * in `debug` (shown only with `oauth2.expose_internal_errors`).
 * @example
 * ```ts
 * throw ServerError.with({ debug: 'directory answered 502' })
 * ```
 */
export const ServerError: OAuthError = errors.ServerError

/**
 * 503 `temporarily_unavailable`: try again later.
 * @example
 * ```ts
 * throw TemporarilyUnavailable.with({ hint: 'The user directory is unreachable.' })
 * ```
 */
export const TemporarilyUnavailable: OAuthError = errors.TemporarilyUnavailable

/**
 * Claims Gatehouse sets itself in access tokens (JWT top level, introspection); a plugin returning one of
 * them fails the request with `server_error`.
 * @example
 * ```ts
 * const safe = Object.fromEntries(Object.entries(claims).filter(([k]) => !RESERVED_ACCESS_TOKEN_CLAIMS.has(k)))
 * ```
 */
export const RESERVED_ACCESS_TOKEN_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'scope', 'scp', 'client_id', 'ext',
])

/**
 * Claims Gatehouse sets itself in ID tokens and userinfo answers; a plugin returning one of them fails the
 * request with `server_error`.
 * @example
 * ```ts
 * if (RESERVED_ID_TOKEN_CLAIMS.has('nonce')) console.log('nonce is set by Gatehouse')
 * ```
 */
export const RESERVED_ID_TOKEN_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'scope', 'scp', 'client_id',
  'auth_time', 'nonce', 'acr', 'amr', 'sid', 'at_hash', 'c_hash', 'rat', 'azp',
])
