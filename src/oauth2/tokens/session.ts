import type { AppContext } from '../../context.ts'
import type { TokenKind } from '../../store/types.ts'

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

export const sealSession = (ctx: AppContext, kind: TokenKind, signature: string, session: TokenSession): string =>
  ctx.sealer.seal(JSON.stringify(session), aad(kind, signature))

/** Opens a row's session; null (and a warning) when it cannot be opened, e.g. after its secret was removed. */
export function openSession(ctx: AppContext, kind: TokenKind, signature: string, sealed: string): TokenSession | null {
  try {
    return JSON.parse(ctx.sealer.open(sealed, aad(kind, signature))) as TokenSession
  } catch (err) {
    ctx.logger.warn('token session could not be opened', { kind, error: (err as Error).message })
    return null
  }
}
