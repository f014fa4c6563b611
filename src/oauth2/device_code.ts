import type { CoreContext } from '../protocol/context.ts'
import { isRecord } from '../protocol/json.ts'
import type { DeviceCodeRow } from '../store/types.ts'
import { OIDC_SESSION_KEY, readOidcSession, type OidcSession } from './authorize_session.ts'
import { userCodeSignatures } from './tokens/user_code.ts'

/** RFC 8628 §3.4: the grant type of the device's token requests. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

/** RFC 8628 §3.5: slow_down adds 5 seconds to the polling interval of this and every later request. */
export const SLOW_DOWN_MS = 5000

/** The device authorization endpoint (RFC 8628 §3.1) on the public API. */
export const DEVICE_AUTHORIZATION_PATH = '/oauth2/device/auth'

/** Where the user goes to enter the user code (RFC 8628 `verification_uri`), on the public API. */
export const DEVICE_VERIFICATION_PATH = '/oauth2/device/verify'

/** What the consent leaves with a device authorization for its redemption, sealed in its `session_data`. */
export interface DeviceSession {
  /** Consent accept `session.access_token`: the access token's `ext`. */
  access_token_claims: Record<string, unknown>
  /** The authentication, for ID tokens, userinfo and later refreshes. */
  oidc: OidcSession
}

// Binds the sealed session to its device authorization.
const aad = (requestId: string) => `device_code/${requestId}`

export const sealDeviceSession = (ctx: Pick<CoreContext, 'sealer'>, requestId: string, session: DeviceSession): string =>
  ctx.sealer.seal(JSON.stringify(session), aad(requestId))

/** The session of an accepted device authorization; null when it cannot be opened (e.g. its secret was removed). */
export function openDeviceSession(ctx: Pick<CoreContext, 'sealer' | 'logger'>, row: DeviceCodeRow): DeviceSession | null {
  try {
    const session = JSON.parse(ctx.sealer.open(row.session_data, aad(row.request_id))) as Partial<DeviceSession>
    const oidc = readOidcSession({ [OIDC_SESSION_KEY]: session.oidc })
    if (!oidc || !isRecord(session.access_token_claims)) return null
    return { access_token_claims: session.access_token_claims, oidc }
  } catch (err) {
    ctx.logger.warn('device code session could not be opened', { error: (err as Error).message })
    return null
  }
}

/**
 * RFC 8628 §3.3: the device authorization a user code names while the user may still settle it (pending and
 * unexpired); null for any other code. Codes issued before a rotation of the system secret are found too.
 */
export async function pendingAuthorization(ctx: Pick<CoreContext, 'config' | 'store'>, userCode: string, now: number): Promise<DeviceCodeRow | null> {
  for (const signature of userCodeSignatures(ctx.config.secrets.system, userCode)) {
    const row = await ctx.store.devices.getByUserCode(signature)
    if (row) return row.user_code_state === 'pending' && row.active && row.expires_at > now ? row : null
  }
  return null
}
