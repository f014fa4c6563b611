import type { CoreContext } from '../../protocol/context.ts'
import type { Sealer } from '../../crypto/aead.ts'
import type { TokenKind } from '../../store/types.ts'
import { deepFreeze } from '../../util/deep_freeze.ts'

/** What a token row keeps, sealed (AES-256-GCM) in `session_data`, for introspection and later grants. */
export interface TokenSession {
  grant_type: string
  /** How the access token was minted; refresh tokens and codes are always opaque. */
  format: 'opaque' | 'jwt'
  /** Hydra's `session.access_token`: `ext` in introspection and JWT access tokens. */
  ext: Record<string, unknown>
  requested_scope: string[]
  requested_audience: string[]
  /** JWT access tokens: base64url SHA-256 of the signing input, so a token with an altered payload is not found. */
  jwt_digest?: string
  /** Grant-specific state (for example ID token claims for the refresh_token grant). */
  extra: Record<string, unknown>
}

// Binds the sealed blob to its row, so a session cannot be moved to another token.
const aad = (kind: TokenKind, signature: string) => `token/${kind}/${signature}`

export const sealSession = (ctx: CoreContext, kind: TokenKind, signature: string, session: TokenSession): string =>
  ctx.sealer.seal(JSON.stringify(session), aad(kind, signature))

/** Opened access-token sessions per sealer, by AAD; a hit must match the sealed text exactly. */
const opened = new WeakMap<Sealer, Map<string, { sealed: string; session: TokenSession }>>()
const MAX_OPENED = 4_096

/**
 * Opens a row's session (read-only: it may be shared with other requests); null (and a warning) when it
 * cannot be opened, e.g. after its secret was removed. Access tokens are looked up again and again
 * (introspection, userinfo), so their recently opened sessions are kept and not decrypted again; codes and
 * refresh tokens are used once and never kept.
 */
export function openSession(ctx: CoreContext, kind: TokenKind, signature: string, sealed: string): TokenSession | null {
  const key = aad(kind, signature)
  let cache = kind === 'access_token' ? opened.get(ctx.sealer) : undefined
  if (kind === 'access_token' && !cache) opened.set(ctx.sealer, (cache = new Map()))
  const hit = cache?.get(key)
  if (hit && hit.sealed === sealed) return hit.session
  try {
    const session = deepFreeze(JSON.parse(ctx.sealer.open(sealed, key)) as TokenSession)
    if (cache) {
      if (cache.size >= MAX_OPENED) cache.delete(cache.keys().next().value!)
      cache.set(key, { sealed, session })
    }
    return session
  } catch (err) {
    ctx.logger.warn('token session could not be opened', { kind, error: (err as Error).message })
    return null
  }
}
