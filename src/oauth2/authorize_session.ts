import type { OAuth2Client } from '../protocol/client.ts'
import { isRecord } from '../protocol/json.ts'
import type { OAuth2Context } from './context.ts'
import type { MintedTokens } from './issue.ts'

/**
 * What the authorization endpoint learned during a login + consent flow and stores (sealed) with the
 * authorization code; the authorization_code and refresh_token grants carry it forward into ID tokens,
 * access-token sessions and userinfo.
 */
export interface AuthorizeSession {
  /** The redirect_uri of the authorization request, exactly as sent; null when the request omitted it. */
  redirect_uri: string | null
  /** The redirect URI the response went to (the requested one, or the only registered one). */
  effective_redirect_uri: string
  /** PKCE (RFC 7636): only S256 is accepted. */
  code_challenge: string | null
  code_challenge_method: 'S256' | null
  nonce: string | null
  /** The local (un-obfuscated) subject the login app accepted. */
  subject: string
  /** login accept `force_subject_identifier`; overrides the `sub` the client sees. */
  force_subject_identifier: string | null
  /** Login session id: the ID token's `sid`. */
  sid: string
  /** When the user authenticated (epoch seconds): `auth_time`. */
  auth_time: number
  /** When the authorization request arrived (epoch seconds): `rat`. */
  requested_at: number
  acr: string
  amr: string[]
  /** Consent accept `session.id_token`: merged into ID tokens and served by userinfo. */
  id_token_claims: Record<string, unknown>
  /** Consent accept `session.access_token`: the access token's `ext`. */
  access_token_claims: Record<string, unknown>
  /** The consent request id (the stored flow's id); every token of the grant carries it as flow_id. */
  consent_request_id: string
}

/** What the authorization endpoint asks to be turned into an authorization code. */
export interface CodeIssue {
  client: OAuth2Client
  granted_scope: string[]
  granted_audience: string[]
  requested_scope: string[]
  requested_audience: string[]
  session: AuthorizeSession
}

/**
 * What an authentication leaves with the tokens of its grant (sealed in their session under `oidc`), so that
 * ID tokens minted on refresh and userinfo answers describe the same authentication.
 */
export type OidcSession = Pick<
  AuthorizeSession,
  'subject' | 'force_subject_identifier' | 'sid' | 'auth_time' | 'requested_at' | 'acr' | 'amr' | 'id_token_claims'
>

/** Where the OidcSession sits in a token's sealed session (`TokenSession.extra`). */
export const OIDC_SESSION_KEY = 'oidc'

/** The OidcSession of an authorization (nonce excluded: it belongs to the code's ID token only). */
export const oidcSessionOf = (s: AuthorizeSession): OidcSession => ({
  subject: s.subject,
  force_subject_identifier: s.force_subject_identifier,
  sid: s.sid,
  auth_time: s.auth_time,
  requested_at: s.requested_at,
  acr: s.acr,
  amr: [...s.amr],
  id_token_claims: { ...s.id_token_claims },
})

/** The OidcSession in a token's sealed session; null when the token was not issued from an authentication. */
export function readOidcSession(extra: Record<string, unknown>): OidcSession | null {
  const s = extra[OIDC_SESSION_KEY]
  if (!isRecord(s)) return null
  const ok =
    typeof s.subject === 'string' &&
    (s.force_subject_identifier === null || typeof s.force_subject_identifier === 'string') &&
    typeof s.sid === 'string' &&
    typeof s.auth_time === 'number' &&
    typeof s.requested_at === 'number' &&
    typeof s.acr === 'string' &&
    Array.isArray(s.amr) &&
    isRecord(s.id_token_claims)
  return ok ? (s as unknown as OidcSession) : null
}

export interface IdTokenInput {
  client: OAuth2Client
  /** The grant minting the token; picks the client's `<grant>_id_token_lifespan`. */
  grantType: string
  session: OidcSession
  /** Epoch ms. */
  issuedAt: number
  /** Only for the ID token of the authentication itself (OIDC Core §12.2: none on refresh). */
  nonce?: string | null
  /** The access token issued beside it, for `at_hash`. */
  accessToken?: string
}

/**
 * The ID token beside tokens just minted from an authentication (OIDC Core §3.1.3.3, §12.2): from their session as
 * stored, since token hooks may have added claims, else `oidc`; with `at_hash` of the access token.
 */
export function signIdToken(
  ctx: Pick<OAuth2Context, 'idTokens'>,
  client: OAuth2Client,
  grantType: string,
  minted: MintedTokens,
  oidc: OidcSession,
  nonce?: string | null,
): Promise<string> {
  return ctx.idTokens.sign({
    client,
    grantType,
    session: readOidcSession({ ...minted.session }) ?? oidc,
    issuedAt: minted.issued_at,
    ...(nonce !== undefined ? { nonce } : {}),
    accessToken: minted.access_token,
  })
}
