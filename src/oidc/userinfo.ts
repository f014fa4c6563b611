import { randomUUID } from 'node:crypto'
import type { CoreContext } from '../protocol/context.ts'
import { InsufficientScope, InvalidRequest, InvalidToken, ServerError, type OAuthError } from '../protocol/errors.ts'
import { findToken, isActive, type FoundToken } from '../oauth2/tokens/lookup.ts'
import type { OAuth2Client } from '../protocol/client.ts'
import { ID_TOKEN_SET } from '../protocol/services.ts'
import { seconds } from '../util/clock.ts'
import { extraClaims } from './id_token.ts'
import { readOidcSession } from '../oauth2/authorize_session.ts'
import { subjectFor } from './subject.ts'
import { signJwt } from '../keys/sign_jwt.ts'

/** How a userinfo request carried its access token. */
export interface BearerInput {
  /** The `Authorization` header. */
  authorization: string | null
  /** Whether the query or the form body had an `access_token` parameter. */
  tokenInQuery: boolean
  tokenInBody: boolean
}

/** A userinfo answer: JSON claims, or a signed JWT when the client registered `userinfo_signed_response_alg`. */
export type UserinfoResponse = { type: 'json'; claims: Record<string, unknown> } | { type: 'jwt'; jwt: string }

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

const quoted = (s: string) => s.replace(/[\\"]/g, '')

/** RFC 6750 §3: the error with the WWW-Authenticate challenge that tells it. */
export function challenge(err: OAuthError, extra = ''): OAuthError {
  const value = `Bearer error="${err.error}", error_description="${quoted(err.fullDescription)}"${extra}`
  return err.with({ headers: { 'www-authenticate': value } })
}

/**
 * The access token of a userinfo request. Only the Authorization header is accepted (RFC 6750 §2.1); a token
 * in the query or body is invalid_request, since a request MUST NOT use more than one method (RFC 6750 §2).
 */
export function bearerToken(input: BearerInput): string {
  if (input.tokenInQuery || input.tokenInBody) {
    throw challenge(InvalidRequest.with({ hint: 'The access token must be sent in the Authorization header as a Bearer token.' }))
  }
  const header = input.authorization?.trim() ?? ''
  if (!/^bearer(?: |$)/i.test(header)) {
    // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
    throw InvalidToken.with({
      hint: 'The request carries no Bearer access token.',
      headers: { 'www-authenticate': 'Bearer' },
    })
  }
  const match = BEARER.exec(header)
  if (!match) throw challenge(InvalidRequest.with({ hint: 'The Authorization header is not a well-formed Bearer token.' }))
  return match[1]!
}

/** The active access token of a Bearer request; anything else is invalid_token (RFC 6750 §3.1), with a challenge. */
export async function activeAccessToken(ctx: CoreContext, token: string): Promise<FoundToken> {
  const found = await findToken(ctx, token, 'access_token')
  // RFC 6750 §3.1: an expired, revoked or otherwise invalid access token is invalid_token (401).
  if (!found || found.kind !== 'access_token' || !isActive(found.row, ctx.clock())) {
    throw challenge(InvalidToken.with({ hint: 'The access token is unknown, expired or revoked.' }))
  }
  return found
}

/** RFC 6750 §3.1: insufficient_scope (403), with a challenge naming the scopes, unless the token was granted them all. */
export function requireScopes(found: FoundToken, scopes: readonly string[]): void {
  const missing = scopes.filter((scope) => !found.row.granted_scope.includes(scope))
  if (missing.length === 0) return
  const names = missing.map((scope) => `"${scope}"`).join(' and ')
  const noun = missing.length > 1 ? 'scopes' : 'scope'
  throw challenge(InsufficientScope.with({ hint: `The access token was not granted the ${names} ${noun}.` }), `, scope="${scopes.join(' ')}"`)
}

/** The client of an access token and the claims about its end-user: `sub` as in its ID tokens, and the consent's `session.id_token` claims. */
export async function endUserOf(ctx: CoreContext, found: FoundToken): Promise<{ client: OAuth2Client; claims: Record<string, unknown> }> {
  const { row, session } = found
  const record = await ctx.clients.get(row.client_id)
  if (!record) throw challenge(InvalidToken.with({ hint: 'The OAuth 2.0 Client of the access token no longer exists.' }))
  const client = record.client
  const oidc = readOidcSession(session.extra)
  const source = oidc ?? { subject: row.subject, force_subject_identifier: null }
  return { client, claims: { ...(oidc ? extraClaims(oidc.id_token_claims) : {}), sub: subjectFor(ctx, client, source) } }
}

/**
 * OIDC Core §5.3: the claims about the end-user of an access token granted the `openid` scope: `sub` as in its
 * ID tokens, and the consent's `session.id_token` claims.
 */
export async function userinfo(ctx: CoreContext, token: string): Promise<UserinfoResponse> {
  const found = await activeAccessToken(ctx, token)
  // OIDC Core §5.3: userinfo is for access tokens of an OpenID Connect authentication request.
  requireScopes(found, ['openid'])
  const { client, claims } = await endUserOf(ctx, found)

  const alg = client.userinfo_signed_response_alg
  if (!alg || alg === 'none') return { type: 'json', claims }
  const key = await ctx.keys.signingKey(ID_TOKEN_SET)
  if (key.alg !== alg) {
    throw ServerError.with({
      hint: 'The userinfo response cannot be signed with the algorithm the OAuth 2.0 Client registered.',
      debug: `userinfo_signed_response_alg is ${alg}; the ${ID_TOKEN_SET} key signs with ${key.alg}.`,
    })
  }
  // OIDC Core §5.3.2: a signed response SHOULD contain iss and aud.
  const jwt = await signJwt({ ...claims, iss: ctx.issuer, aud: [client.client_id], iat: seconds(ctx.clock()), jti: randomUUID() }, key, 'JWT')
  return { type: 'jwt', jwt }
}
