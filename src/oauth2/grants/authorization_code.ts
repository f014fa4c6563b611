import type { OAuth2Client } from '../../protocol/client.ts'
import type { OAuth2Context } from '../context.ts'
import { OIDC_SESSION_KEY, oidcSessionOf, signIdToken } from '../authorize_session.ts'
import { codeSignature, openCode } from '../authorization_code.ts'
import type { AuthorizeSession } from '../authorize_session.ts'
import { InvalidGrant, InvalidRequest } from '../../protocol/errors.ts'
import type { Issuance } from '../issue.ts'
import { isValidCodeVerifier, pkceRequired, verifyS256 } from '../pkce.ts'
import { afterRedemption, refuseReuse } from '../reuse_detection.ts'
import type { ClientGrant, TokenRequest } from './index.ts'

const GRANT = 'authorization_code'

/** RFC 6749 §4.1.3: redirect_uri is required, and identical, when the authorization request included it. */
function checkRedirectUri(session: AuthorizeSession, presented: string | undefined): void {
  const expected = session.redirect_uri ?? (presented === undefined ? undefined : session.effective_redirect_uri)
  if (expected !== undefined && presented !== expected) {
    throw InvalidGrant.with({
      hint: 'The "redirect_uri" from this request does not match the one from the authorize request.',
    })
  }
}

/** RFC 7636 §4.5, §4.6 and RFC 9700 §2.1.1 (no verifier without a challenge). */
function checkPkce(ctx: OAuth2Context, client: OAuth2Client, session: AuthorizeSession, verifier: string | undefined): void {
  const challenge = session.code_challenge
  if (!challenge) {
    if (verifier !== undefined) {
      throw InvalidGrant.with({ hint: 'The PKCE code verifier was provided but the code challenge was absent from the authorization request.' })
    }
    if (pkceRequired(ctx.config, client)) {
      throw InvalidRequest.with({ hint: 'Clients must include a "code_challenge" when performing the authorize code flow.' })
    }
    return
  }
  if (!verifier) throw InvalidGrant.with({ hint: 'The PKCE code verifier is missing.' })
  // RFC 7636 §4.1: 43 to 128 characters of the unreserved set.
  if (!isValidCodeVerifier(verifier)) {
    throw InvalidGrant.with({ hint: "The PKCE code verifier must be 43 to 128 characters of [A-Z], [a-z], [0-9], '-', '.', '_', '~'." })
  }
  if (!verifyS256(verifier, challenge)) throw InvalidGrant.with({ hint: 'The PKCE code challenge did not match the code verifier.' })
}

const spentHint = 'The authorization code has already been used or was revoked; the tokens issued from it are revoked.'

/**
 * RFC 6749 §4.1.3: redeems an authorization code once. Every check runs before the code is consumed, so a
 * request that fails them (another client included) does not burn the code; a spent code revokes its family.
 */
export const authorizationCodeGrant: ClientGrant = {
  grantType: GRANT,
  params: ['code', 'redirect_uri', 'code_verifier'],
  clientAuth: 'required',
  async handle(ctx: OAuth2Context, req: TokenRequest<OAuth2Client>): Promise<Issuance> {
    const client = req.client
    const code = req.params.get('code')
    // RFC 6749 §4.1.3: code is REQUIRED.
    if (!code) throw InvalidRequest.with({ hint: 'The request is missing the "code" parameter.' })
    const signature = codeSignature(ctx, code)
    const row = await ctx.store.tokens.get('authorization_code', signature)
    if (!row) throw InvalidGrant.with({ hint: 'The authorization code is unknown.' })
    // RFC 6749 §4.1.2: a code used more than once is denied, and the tokens issued from it revoked.
    if (!row.active) await refuseReuse(ctx, 'authorization_code', row, spentHint)
    if (req.requestedAt >= row.expires_at) throw InvalidGrant.with({ hint: 'The authorization code has expired.' })
    // RFC 6749 §4.1.3: the code must have been issued to the authenticated client.
    if (row.client_id !== client.client_id) {
      throw InvalidGrant.with({ hint: 'The OAuth 2.0 Client ID from this request does not match the one from the authorize request.' })
    }
    const { session, requested_scope, requested_audience } = openCode(ctx, row)
    checkRedirectUri(session, req.params.get('redirect_uri'))
    checkPkce(ctx, client, session, req.params.get('code_verifier'))

    const redeemed = await ctx.store.tokens.consume('authorization_code', signature, req.requestedAt)
    if (!redeemed) return refuseReuse(ctx, 'authorization_code', row, spentHint)

    const scope = row.granted_scope
    const oidc = oidcSessionOf(session)
    const offline = scope.includes('offline') || scope.includes('offline_access')
    return {
      subject: row.subject,
      grantedScope: scope,
      grantedAudience: row.granted_audience,
      requestedScope: requested_scope,
      requestedAudience: requested_audience,
      accessTokenClaims: session.access_token_claims,
      refresh: offline && client.grant_types.includes('refresh_token'),
      requestId: row.request_id,
      flowId: row.flow_id,
      session: { [OIDC_SESSION_KEY]: oidc },
      // OIDC Core §3.1.3.3: an ID token when the openid scope was granted; signed while the tokens are written.
      extraResponse: (minted, stored) =>
        afterRedemption(
          ctx,
          'authorization_code',
          redeemed,
          stored,
          scope.includes('openid') ? signIdToken(ctx, client, GRANT, minted, oidc, session.nonce) : undefined,
        ),
    }
  },
}
