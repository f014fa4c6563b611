import type { OAuth2Context } from './context.ts'
import type { TokenKind } from '../store/types.ts'
import { InvalidGrant } from '../protocol/errors.ts'

/** Where a single-use credential's redemptions are counted: a token table, or another store (device codes). */
export interface RedemptionLedger {
  /** What is redeemed, as the log names it. */
  readonly kind: string
  /** Records a refused presentation: `used_times` + 1 and inactive. */
  recordReuse(signature: string): Promise<unknown>
  get(signature: string): Promise<{ active: boolean; used_times: number } | null>
}

/** A redeemable credential's row as reuse detection reads it. */
interface Redeemable {
  signature: string
  /** The grant family every token issued from it belongs to. */
  request_id: string
  client_id: string
  used_times: number
}

const ledgerOf = (ctx: OAuth2Context, kind: TokenKind | RedemptionLedger): RedemptionLedger =>
  typeof kind === 'string'
    ? { kind, recordReuse: (signature) => ctx.store.tokens.recordReuse(kind, signature), get: (signature) => ctx.store.tokens.get(kind, signature) }
    : kind

/**
 * Refuses a spent authorization code, refresh token or device code presented again and revokes every token of its
 * grant family (RFC 6749 §4.1.2 for codes, RFC 9700 §4.14.2 for refresh tokens). The presentation is recorded
 * before the family is revoked, so a redemption racing with it can see it (revokeIfReusedMeanwhile).
 */
export async function refuseReuse(ctx: OAuth2Context, kind: TokenKind | RedemptionLedger, row: Redeemable, hint: string): Promise<never> {
  const ledger = ledgerOf(ctx, kind)
  await ledger.recordReuse(row.signature)
  const revoked = await ctx.store.tokens.revokeFamily(row.request_id)
  ctx.logger.warn('spent token presented again; grant family revoked', { kind: ledger.kind, client_id: row.client_id, revoked })
  throw InvalidGrant.with({ hint })
}

/**
 * Called once the tokens of a redemption are stored: when the redeemed credential was presented again meanwhile,
 * that presentation may have revoked the family before the new tokens existed, so they are revoked now. Either
 * this check sees the recorded reuse, or the reuse's revocation comes after the new tokens.
 */
async function revokeIfReusedMeanwhile(ctx: OAuth2Context, ledger: RedemptionLedger, redeemed: Redeemable): Promise<void> {
  const now = await ledger.get(redeemed.signature)
  if (!now || (!now.active && now.used_times > redeemed.used_times)) await ctx.store.tokens.revokeFamily(redeemed.request_id)
}

/**
 * The extra response of a redemption (authorization code, refresh token, device code): the ID token, already being
 * signed while the new tokens are written, is handed out once they are stored and checked for a reuse meanwhile.
 */
export async function afterRedemption(
  ctx: OAuth2Context,
  kind: TokenKind | RedemptionLedger,
  redeemed: Redeemable,
  stored: Promise<void>,
  idToken: Promise<string> | undefined,
): Promise<Readonly<Record<string, unknown>>> {
  // A failed write rejects `stored` first; the signature must not end as an unhandled rejection.
  idToken?.catch(() => {})
  await stored
  await revokeIfReusedMeanwhile(ctx, ledgerOf(ctx, kind), redeemed)
  return idToken ? { id_token: await idToken } : {}
}
