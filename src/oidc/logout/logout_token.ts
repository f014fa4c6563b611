import { randomUUID } from 'node:crypto'
import type { OAuth2Client } from '../../protocol/client.ts'
import type { CoreContext } from '../../protocol/context.ts'
import { OAuthError } from '../../protocol/errors.ts'
import { ID_TOKEN_SET } from '../../protocol/services.ts'
import { seconds } from '../../util/clock.ts'
import { subjectFor, type SubjectSource } from '../subject.ts'
import { signJwt } from '../../keys/sign_jwt.ts'

/** The event a logout token announces (OIDC Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'

/** How long a logout token is valid: long enough for the retries, short enough to be useless when captured. */
export const LOGOUT_TOKEN_LIFESPAN_MS = 2 * 60 * 1000

function subjectOrNull(ctx: CoreContext, client: OAuth2Client, subject: SubjectSource): string | null {
  try {
    return subjectFor(ctx, client, subject)
  } catch (err) {
    if (err instanceof OAuthError) return null
    throw err
  }
}

/**
 * Signs a logout token for `client` with the ID-token keys (OIDC Back-Channel Logout 1.0 §2.4): iss, aud, iat,
 * exp, jti, events and sid always, `sub` as the client knows the user.
 */
export async function mintLogoutToken(ctx: CoreContext, client: OAuth2Client, sid: string, subject: SubjectSource): Promise<string> {
  const key = await ctx.keys.signingKey(ID_TOKEN_SET)
  const now = ctx.clock()
  const claims: Record<string, unknown> = {
    iss: ctx.issuer,
    aud: [client.client_id],
    iat: seconds(now),
    exp: seconds(now + LOGOUT_TOKEN_LIFESPAN_MS),
    jti: randomUUID(),
    sid,
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  }
  const sub = subjectOrNull(ctx, client, subject)
  if (sub !== null) claims.sub = sub
  // OIDC Back-Channel Logout 1.0 §2.4: a logout token MUST NOT contain a nonce; typ logout+jwt (§2.4, RFC 8725 §3.11).
  return signJwt(claims, key, 'logout+jwt')
}
