import type { OAuth2Client } from '../../protocol/client.ts'
import type { OAuth2Context } from '../context.ts'
import { readOidcSession, signIdToken } from '../authorize_session.ts'
import type { TokenRow } from '../../store/types.ts'
import { checkAudience } from '../audience.ts'
import { InvalidGrant, InvalidRequest, InvalidScope } from '../../protocol/errors.ts'
import type { Issuance } from '../issue.ts'
import { afterRedemption, refuseReuse } from '../reuse_detection.ts'
import { checkClientScopes, parseScope, scopeStrategy } from '../scope.ts'
import { REFRESH_TOKEN_PREFIX, opaqueSignature } from '../tokens/opaque.ts'
import { openSession } from '../tokens/session.ts'
import type { ClientGrant, TokenRequest } from './index.ts'

const GRANT = 'refresh_token'

interface Grace {
  period: number
  reuseCount: number
}

/** Whether a refresh token may be redeemed now: unused, or (graceful rotation) used within its grace period. */
function redeemable(row: TokenRow, now: number, grace: Grace): boolean {
  if (!row.active || now >= row.expires_at) return false
  if (row.first_used_at === null) return true
  return grace.period > 0 && (grace.reuseCount === 0 || row.used_times <= grace.reuseCount)
}

/** RFC 6749 §6: a narrower scope may be requested; anything not originally granted is invalid_scope. */
function scopeOnRefresh(ctx: OAuth2Context, client: OAuth2Client, original: readonly string[], param: string | undefined): string[] {
  const requested = parseScope(param)
  const strategy = scopeStrategy(ctx)
  for (const scope of requested) {
    // RFC 6749 §6: the requested scope MUST NOT include any scope not originally granted by the resource owner.
    if (!strategy(original, scope)) throw InvalidScope.with({ hint: `The requested scope "${scope}" was not originally granted.` })
  }
  const granted = requested.length ? requested : [...original]
  checkClientScopes(ctx, client, granted)
  return granted
}

const reuseHint = 'The refresh token has already been used or was revoked; every token of its grant is revoked.'

/**
 * RFC 6749 §6 with rotation: every use returns a new refresh token of the same grant family and retires the
 * presented one and the access token issued beside it. A spent refresh token presented again revokes the
 * family, unless it is within `oauth2.grant.refresh_token.rotation_grace_period` (Hydra's graceful rotation).
 */
export const refreshTokenGrant: ClientGrant = {
  grantType: GRANT,
  params: ['refresh_token', 'scope'],
  clientAuth: 'required',
  async handle(ctx: OAuth2Context, req: TokenRequest<OAuth2Client>): Promise<Issuance> {
    const client = req.client
    const token = req.params.get('refresh_token')
    // RFC 6749 §6: refresh_token is REQUIRED.
    if (!token) throw InvalidRequest.with({ hint: 'The request is missing the "refresh_token" parameter.' })
    const signature = opaqueSignature(ctx.config.secrets.system, REFRESH_TOKEN_PREFIX, token)
    if (!signature) throw InvalidGrant.with({ hint: 'The refresh token is malformed or was not issued by this server.' })
    const row = await ctx.store.tokens.get('refresh_token', signature)
    if (!row) throw InvalidGrant.with({ hint: 'The refresh token is unknown.' })

    const config = ctx.config.oauth2.grant.refresh_token
    const grace: Grace = { period: config.rotation_grace_period, reuseCount: config.rotation_grace_reuse_count }
    const now = req.requestedAt
    if (!redeemable(row, now, grace)) {
      if (!row.active || row.first_used_at !== null) await refuseReuse(ctx, 'refresh_token', row, reuseHint)
      throw InvalidGrant.with({ hint: 'The refresh token has expired.' })
    }
    // RFC 6749 §6: the refresh token must have been issued to the authenticated client.
    if (row.client_id !== client.client_id) {
      throw InvalidGrant.with({ hint: 'The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance.' })
    }
    const session = openSession(ctx, 'refresh_token', signature, row.session_data)
    if (!session) throw InvalidGrant.with({ hint: 'The refresh token session could not be restored.' })
    const scope = scopeOnRefresh(ctx, client, row.granted_scope, req.params.get('scope'))
    checkAudience(client.audience ?? [], session.requested_audience)

    // The access token issued beside this refresh token is retired in the same write: when the redemption
    // fails instead, the token was reused and its whole family is revoked anyway.
    const [redeemed] = await Promise.all([
      grace.period > 0
        ? ctx.store.tokens.useWithGrace(signature, now, grace.period, grace.reuseCount)
        : ctx.store.tokens.consume('refresh_token', signature, now),
      row.access_token_signature ? ctx.store.tokens.deactivate('access_token', row.access_token_signature) : undefined,
    ])
    if (!redeemed) return refuseReuse(ctx, 'refresh_token', row, reuseHint)

    const oidc = readOidcSession(session.extra)
    return {
      subject: row.subject,
      grantedScope: scope,
      grantedAudience: row.granted_audience,
      requestedScope: session.requested_scope,
      requestedAudience: session.requested_audience,
      // RFC 6749 §6: the new refresh token keeps the scope of the one presented.
      refreshTokenScope: row.granted_scope,
      accessTokenClaims: session.ext,
      refresh: true,
      requestId: row.request_id,
      flowId: row.flow_id,
      session: session.extra,
      // OIDC Core §12.2: same iss, sub, aud and auth_time as at authentication; no nonce. Signed while the tokens are written.
      extraResponse: (minted, stored) =>
        afterRedemption(
          ctx,
          'refresh_token',
          redeemed,
          stored,
          oidc && scope.includes('openid') ? signIdToken(ctx, client, GRANT, minted, oidc) : undefined,
        ),
    }
  },
}
