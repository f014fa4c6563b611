import { LIFESPAN_FIELDS, type LifespanField, type OAuth2Client } from '../protocol/client.ts'
import type { CoreContext } from '../protocol/context.ts'
import { parseDuration } from '../util/duration.ts'

/** Token kinds with a lifespan. */
export type LifespanToken = 'access_token' | 'refresh_token' | 'id_token'

/** Lifespan field prefixes of a client (Hydra's per-grant lifespans), by grant type. */
const GRANT_PREFIX: Record<string, string> = {
  authorization_code: 'authorization_code_grant',
  client_credentials: 'client_credentials_grant',
  implicit: 'implicit_grant',
  refresh_token: 'refresh_token_grant',
  'urn:ietf:params:oauth:grant-type:jwt-bearer': 'jwt_bearer_grant',
  'urn:ietf:params:oauth:grant-type:device_code': 'device_authorization_grant',
}

const isLifespanField = (name: string): name is LifespanField => (LIFESPAN_FIELDS as readonly string[]).includes(name)

/** Refresh tokens that never expire (`ttl.refresh_token: -1`) are stored with this expiry. */
export const NEVER_EXPIRES = Number.MAX_SAFE_INTEGER

/**
 * The lifespan in milliseconds of a token issued by a grant: the client's `<grant>_grant_<token>_lifespan`
 * when set, else the global `ttl.<token>`. -1 (refresh tokens only) means the token never expires.
 */
export function lifespanOf(ctx: CoreContext, client: OAuth2Client | null, grantType: string, token: LifespanToken): number {
  const prefix = GRANT_PREFIX[grantType]
  const field = prefix ? `${prefix}_${token}_lifespan` : ''
  const own = client && isLifespanField(field) ? client[field] : null
  if (own) {
    try {
      const ms = parseDuration(own)
      if (ms > 0) return ms
    } catch {
      ctx.logger.warn('ignoring an invalid client lifespan', { client_id: client?.client_id, field })
    }
  }
  return ctx.config.ttl[token]
}

/** When a token minted at `now` with `lifespan` expires (ms). */
export const expiryOf = (now: number, lifespan: number) => (lifespan < 0 ? NEVER_EXPIRES : now + lifespan)
