import type { CoreContext } from '../../protocol/context.ts'
import type { TokenRow } from '../../store/types.ts'
import { ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX, opaqueSignature } from './opaque.ts'
import { jtiOf, signingInputDigest, splitJws, storedJwtSignature } from './jwt.ts'
import { openSession, type TokenSession } from './session.ts'

/** A presented access or refresh token that Gatehouse issued, with its row and opened session. */
export interface FoundToken {
  kind: 'access_token' | 'refresh_token'
  row: TokenRow
  session: TokenSession
}

type Candidate = { kind: FoundToken['kind']; signature: string; digest?: string }

function candidatesOf(ctx: CoreContext, token: string): Candidate[] {
  const secrets = ctx.config.secrets.system
  const access = opaqueSignature(secrets, ACCESS_TOKEN_PREFIX, token)
  if (access) return [{ kind: 'access_token', signature: access }]
  const refresh = opaqueSignature(secrets, REFRESH_TOKEN_PREFIX, token)
  if (refresh) return [{ kind: 'refresh_token', signature: refresh }]
  const jws = splitJws(token)
  if (jws) {
    const signature = storedJwtSignature(jtiOf(jws.payload), jws.signature)
    return [{ kind: 'access_token', signature, digest: signingInputDigest(jws.signingInput) }]
  }
  return []
}

/**
 * Finds the row of a token by its signature, whether active or not. The token's own format decides where
 * to look; `hint` (RFC 7009 §2.1 / RFC 7662 §2.1 `token_type_hint`) only orders the lookups.
 */
export async function findToken(ctx: CoreContext, token: string, hint?: string): Promise<FoundToken | null> {
  const candidates = candidatesOf(ctx, token)
  if (hint === 'refresh_token') candidates.reverse()
  for (const c of candidates) {
    const row = await ctx.store.tokens.get(c.kind, c.signature)
    if (!row) continue
    const session = openSession(ctx, c.kind, c.signature, row.session_data)
    if (!session) continue
    // A JWT is found only with the exact payload it was issued with.
    if (c.digest !== undefined ? session.format !== 'jwt' || session.jwt_digest !== c.digest : session.format === 'jwt') continue
    return { kind: c.kind, row, session }
  }
  return null
}

/** Whether a token row is usable at `now`: not revoked or used, not expired. */
export const isActive = (row: TokenRow, now: number) => row.active && now < row.expires_at
