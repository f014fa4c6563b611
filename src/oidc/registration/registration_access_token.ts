import { timingSafeEqual } from 'node:crypto'
import { ACCESS_TOKEN_PREFIX, mintOpaque, opaqueSignature, type OpaqueToken } from '../../oauth2/tokens/opaque.ts'
import type { CoreContext } from '../../protocol/context.ts'

type TokenContext = Pick<CoreContext, 'config' | 'clock'>

/**
 * RFC 7592 §1: a new registration access token. As in Hydra it is an opaque access token (`ory_at_…`) that
 * no token table holds: the client keeps only its HMAC signature.
 */
export const mintRegistrationAccessToken = (ctx: TokenContext): OpaqueToken =>
  mintOpaque(ctx.config.secrets.system, ACCESS_TOKEN_PREFIX, ctx.clock())

/**
 * Whether `token` is the registration access token whose signature a client keeps: its HMAC verifies under a
 * system secret and its signature equals the stored one, compared in constant time. A client without one
 * (created on the admin API) matches nothing.
 */
export function registrationTokenMatches(ctx: TokenContext, token: string, stored: string | null | undefined): boolean {
  if (!stored) return false
  const signature = opaqueSignature(ctx.config.secrets.system, ACCESS_TOKEN_PREFIX, token)
  if (!signature) return false
  const presented = Buffer.from(signature)
  const expected = Buffer.from(stored)
  return presented.length === expected.length && timingSafeEqual(presented, expected)
}
