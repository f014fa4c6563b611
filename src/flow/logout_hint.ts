import type { OAuth2Client } from '../protocol/client.ts'
import type { FlowContext } from './context.ts'
import { verifyIdTokenHint } from '../oauth2/checks/check_id_token_hint.ts'
import { InvalidRequest } from '../protocol/errors.ts'
import { seconds } from '../util/clock.ts'

/** What a verified logout id_token_hint tells: the session, the user as the client knows them, and the client. */
export interface LogoutHint {
  sid: string
  /** `sub` as the client saw it (public, pairwise or forced). */
  sub: string
  client: OAuth2Client
}

const audiences = (aud: unknown): string[] =>
  typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : []

/**
 * Verifies the id_token_hint of an RP-initiated logout: an ID token this issuer signed (expired is fine), issued
 * no later than now, with `sid` and `sub`; its audience names the client. `clientId`, when sent, must be one of them.
 */
export async function verifyLogoutHint(ctx: FlowContext, hint: string, clientId?: string): Promise<LogoutHint> {
  // OIDC RP-Initiated Logout 1.0 §2: the OP need not be the audience's session any more; an expired hint is valid.
  const claims = await verifyIdTokenHint(ctx, hint)
  if (typeof claims.iat !== 'number' || claims.iat > seconds(ctx.clock())) {
    throw InvalidRequest.with({ hint: 'Logout failed because the iat claim of id_token_hint is missing or in the future.' })
  }
  if (typeof claims.sid !== 'string' || claims.sid === '') {
    throw InvalidRequest.with({ hint: 'Logout failed because query parameter id_token_hint is missing sid claim.' })
  }
  let candidates = audiences(claims.aud)
  if (clientId !== undefined) {
    // OIDC RP-Initiated Logout 1.0 §2: client_id and id_token_hint must name the same client.
    if (!candidates.includes(clientId)) {
      throw InvalidRequest.with({ hint: 'Logout failed because client_id is not an audience of id_token_hint.' })
    }
    candidates = [clientId]
  }
  for (const id of candidates) {
    const record = await ctx.clients.get(id)
    if (record) return { sid: claims.sid, sub: claims.sub as string, client: record.client }
  }
  throw InvalidRequest.with({ hint: 'Logout failed because none of the listed audiences is a registered OAuth 2.0 Client.' })
}
