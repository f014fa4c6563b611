import type { OAuth2Client } from '../../protocol/client.ts'
import { AccessDenied, AuthorizationPending, ExpiredToken, InvalidGrant, InvalidRequest, SlowDown } from '../../protocol/errors.ts'
import { OIDC_SESSION_KEY, signIdToken } from '../authorize_session.ts'
import type { OAuth2Context } from '../context.ts'
import { DEVICE_CODE_GRANT, openDeviceSession, SLOW_DOWN_MS } from '../device_code.ts'
import type { Issuance } from '../issue.ts'
import { afterRedemption, refuseReuse, type RedemptionLedger } from '../reuse_detection.ts'
import { DEVICE_CODE_PREFIX, opaqueSignature } from '../tokens/opaque.ts'
import type { ClientGrant, TokenRequest } from './index.ts'

const ledger = (ctx: OAuth2Context): RedemptionLedger => ({
  kind: 'device_code',
  recordReuse: (signature) => ctx.store.devices.recordReuse(signature),
  get: (signature) => ctx.store.devices.get(signature),
})

const spentHint = 'The device code has already been used; the tokens issued from it are revoked.'

/**
 * RFC 8628 §3.4, §3.5: the device polls with its device code. Every poll is recorded: one sooner than the interval
 * while the user has not finished is told slow_down, and its interval grows. Pending is authorization_pending, a
 * rejected login or consent access_denied, an expired code expired_token; an accepted code is redeemed once (a
 * replay revokes what it issued) for the tokens the consent granted.
 */
export const deviceCodeGrant: ClientGrant = {
  grantType: DEVICE_CODE_GRANT,
  params: ['device_code'],
  clientAuth: 'required',
  async handle(ctx: OAuth2Context, req: TokenRequest<OAuth2Client>): Promise<Issuance> {
    const client = req.client
    const code = req.params.get('device_code')
    // RFC 8628 §3.4: device_code is REQUIRED.
    if (!code) throw InvalidRequest.with({ hint: 'The request is missing the "device_code" parameter.' })
    const signature = opaqueSignature(ctx.config.secrets.system, DEVICE_CODE_PREFIX, code)
    if (!signature) throw InvalidGrant.with({ hint: 'The device code is malformed or was not issued by this server.' })
    const now = req.requestedAt
    const polled = await ctx.store.devices.poll(signature, client.client_id, now, SLOW_DOWN_MS)
    // RFC 8628 §3.4: the device code must have been issued to the client.
    if (!polled) throw InvalidGrant.with({ hint: 'The device code is unknown or was issued to another client.' })
    const { row, tooFast } = polled
    if (!row.active) return refuseReuse(ctx, ledger(ctx), row, spentHint)
    if (now >= row.expires_at) throw ExpiredToken.with({ hint: 'Request a new device code.' })
    if (row.user_code_state === 'denied') throw AccessDenied.with({ status: 400, hint: 'The user did not authorize the device.' })
    if (row.user_code_state === 'pending') {
      if (tooFast) throw SlowDown.with({ hint: `Wait ${row.poll_interval / 1000} seconds between requests.` })
      throw AuthorizationPending
    }

    const session = openDeviceSession(ctx, row)
    if (!session) throw InvalidGrant.with({ hint: 'The device code session could not be restored.' })
    const redeemed = await ctx.store.devices.consume(signature)
    if (!redeemed) return refuseReuse(ctx, ledger(ctx), row, spentHint)

    const scope = redeemed.granted_scope
    const offline = scope.includes('offline') || scope.includes('offline_access')
    return {
      subject: redeemed.subject,
      grantedScope: scope,
      grantedAudience: redeemed.granted_audience,
      requestedScope: redeemed.requested_scope,
      requestedAudience: redeemed.requested_audience,
      accessTokenClaims: session.access_token_claims,
      refresh: offline && client.grant_types.includes('refresh_token'),
      requestId: redeemed.request_id,
      flowId: redeemed.flow_id,
      session: { [OIDC_SESSION_KEY]: session.oidc },
      // OIDC Core §3.1.3.3: an ID token when the openid scope was granted; signed while the tokens are written.
      extraResponse: (minted, stored) =>
        afterRedemption(ctx, ledger(ctx), redeemed, stored, scope.includes('openid') ? signIdToken(ctx, client, DEVICE_CODE_GRANT, minted, session.oidc) : undefined),
    }
  },
}
