import type { OAuth2Context } from './context.ts'
import type { TokenKind, TokenRow } from '../store/types.ts'
import { InvalidGrant } from '../protocol/errors.ts'

/**
 * Refuses a spent authorization code or refresh token presented again and revokes every token of its grant
 * family (RFC 6749 §4.1.2 for codes, RFC 9700 §4.14.2 for refresh tokens). The presentation is recorded
 * before the family is revoked, so a redemption racing with it can see it (revokeIfReusedMeanwhile).
 */
export async function refuseReuse(ctx: OAuth2Context, kind: TokenKind, row: TokenRow, hint: string): Promise<never> {
  await ctx.store.tokens.recordReuse(kind, row.signature)
  const revoked = await ctx.store.tokens.revokeFamily(row.request_id)
  ctx.logger.warn('spent token presented again; grant family revoked', { kind, client_id: row.client_id, revoked })
  throw InvalidGrant.with({ hint })
}

/**
 * Called once the tokens of a redemption are stored: when the redeemed code or refresh token was presented
 * again meanwhile, that presentation may have revoked the family before the new tokens existed, so they are
 * revoked now. Either this check sees the recorded reuse, or the reuse's revocation comes after the new tokens.
 */
async function revokeIfReusedMeanwhile(ctx: OAuth2Context, kind: TokenKind, redeemed: TokenRow): Promise<void> {
  const now = await ctx.store.tokens.get(kind, redeemed.signature)
  if (!now || (!now.active && now.used_times > redeemed.used_times)) await ctx.store.tokens.revokeFamily(redeemed.request_id)
}

/**
 * The extra response of a redemption (authorization code, refresh token): the ID token, already being signed
 * while the new tokens are written, is handed out once they are stored and checked for a reuse meanwhile.
 */
export async function afterRedemption(
  ctx: OAuth2Context,
  kind: TokenKind,
  redeemed: TokenRow,
  stored: Promise<void>,
  idToken: Promise<string> | undefined,
): Promise<Readonly<Record<string, unknown>>> {
  // A failed write rejects `stored` first; the signature must not end as an unhandled rejection.
  idToken?.catch(() => {})
  await stored
  await revokeIfReusedMeanwhile(ctx, kind, redeemed)
  return idToken ? { id_token: await idToken } : {}
}
