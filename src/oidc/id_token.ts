import { randomUUID } from 'node:crypto'
import type { CoreContext } from '../protocol/context.ts'
import type { IdTokenInput } from '../oauth2/authorize_session.ts'
import { lifespanOf } from '../oauth2/lifespan.ts'
import { ID_TOKEN_SET } from '../protocol/services.ts'
import { seconds } from '../util/clock.ts'
import { halfHash } from './hash_claim.ts'
import { subjectFor } from './subject.ts'
import { signJwt } from '../keys/sign_jwt.ts'

/** Claims that consent `session.id_token` cannot set: those Gatehouse sets itself. */
export const RESERVED_ID_TOKEN_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'sid', 'at_hash', 'c_hash', 'rat', 'azp',
])

/** Consent `session.id_token` claims without the reserved ones (as own properties, `__proto__` included). */
export const extraClaims = (claims: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(claims).filter(([name]) => !RESERVED_ID_TOKEN_CLAIMS.has(name)))

/**
 * Signs an ID token (OIDC Core §2) with the newest key of `hydra.openid.id-token`: consent `session.id_token`
 * claims under the reserved ones, which they never override.
 */
export async function mintIdToken(ctx: CoreContext, input: IdTokenInput): Promise<string> {
  const { client, session } = input
  const key = await ctx.keys.signingKey(ID_TOKEN_SET)
  const lifespan = lifespanOf(ctx, client, input.grantType, 'id_token')
  const claims = extraClaims(session.id_token_claims)
  Object.assign(claims, {
    iss: ctx.issuer,
    sub: subjectFor(ctx, client, session),
    // OIDC Core §2: aud MUST contain the client_id of the Relying Party.
    aud: [client.client_id],
    exp: seconds(input.issuedAt + lifespan),
    iat: seconds(input.issuedAt),
    jti: randomUUID(),
    auth_time: session.auth_time,
    rat: session.requested_at,
    sid: session.sid,
  })
  // OIDC Core §3.1.2.1: the nonce of the authentication request is passed through unmodified.
  if (input.nonce) claims.nonce = input.nonce
  if (session.acr) claims.acr = session.acr
  if (session.amr.length) claims.amr = [...session.amr]
  // OIDC Core §3.1.3.6: at_hash over the access token, with the hash of the ID token's alg.
  if (input.accessToken) claims.at_hash = halfHash(input.accessToken, key.alg)
  return signJwt(claims, key, 'JWT')
}
