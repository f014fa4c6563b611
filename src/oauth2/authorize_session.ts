import type { OAuth2Client } from '../clients/model.ts'

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
