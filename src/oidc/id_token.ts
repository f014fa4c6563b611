import { randomUUID } from 'node:crypto'
import type { OAuth2Client } from '../clients/model.ts'
import type { AppContext } from '../context.ts'
import type { AuthorizeSession } from '../oauth2/authorize_session.ts'
import { lifespanOf } from '../oauth2/lifespan.ts'
import { ID_TOKEN_SET } from '../services.ts'
import { seconds } from '../util/clock.ts'
import { halfHash } from './hash_claim.ts'
import { subjectFor } from './subject.ts'
import { signJwt } from '../keys/sign_jwt.ts'
import { isRecord } from '../protocol/json.ts'

/**
 * What an authentication leaves with the tokens of its grant (sealed in their session under `oidc`), so that
 * ID tokens minted on refresh and userinfo answers describe the same authentication.
 */
export type OidcSession = Pick<
  AuthorizeSession,
  'subject' | 'force_subject_identifier' | 'sid' | 'auth_time' | 'requested_at' | 'acr' | 'amr' | 'id_token_claims'
>

/** Where the OidcSession sits in a token's sealed session (`TokenSession.extra`). */
export const OIDC_SESSION_KEY = 'oidc'

/** Claims that consent `session.id_token` cannot set: those Gatehouse sets itself. */
export const RESERVED_ID_TOKEN_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'sid', 'at_hash', 'c_hash', 'rat', 'azp',
])

/** The OidcSession of an authorization (nonce excluded: it belongs to the code's ID token only). */
export const oidcSessionOf = (s: AuthorizeSession): OidcSession => ({
  subject: s.subject,
  force_subject_identifier: s.force_subject_identifier,
  sid: s.sid,
  auth_time: s.auth_time,
  requested_at: s.requested_at,
  acr: s.acr,
  amr: [...s.amr],
  id_token_claims: { ...s.id_token_claims },
})

/** The OidcSession in a token's sealed session; null when the token was not issued from an authentication. */
export function readOidcSession(extra: Record<string, unknown>): OidcSession | null {
  const s = extra[OIDC_SESSION_KEY]
  if (!isRecord(s)) return null
  const ok =
    typeof s.subject === 'string' &&
    (s.force_subject_identifier === null || typeof s.force_subject_identifier === 'string') &&
    typeof s.sid === 'string' &&
    typeof s.auth_time === 'number' &&
    typeof s.requested_at === 'number' &&
    typeof s.acr === 'string' &&
    Array.isArray(s.amr) &&
    isRecord(s.id_token_claims)
  return ok ? (s as unknown as OidcSession) : null
}

/** Consent `session.id_token` claims without the reserved ones (as own properties, `__proto__` included). */
export const extraClaims = (claims: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(claims).filter(([name]) => !RESERVED_ID_TOKEN_CLAIMS.has(name)))

export interface IdTokenInput {
  client: OAuth2Client
  /** The grant minting the token; picks the client's `<grant>_id_token_lifespan`. */
  grantType: string
  session: OidcSession
  /** Epoch ms. */
  issuedAt: number
  /** Only for the ID token of the authentication itself (OIDC Core §12.2: none on refresh). */
  nonce?: string | null
  /** The access token issued beside it, for `at_hash`. */
  accessToken?: string
}

/**
 * Signs an ID token (OIDC Core §2) with the newest key of `hydra.openid.id-token`: consent `session.id_token`
 * claims under the reserved ones, which they never override.
 */
export async function mintIdToken(ctx: AppContext, input: IdTokenInput): Promise<string> {
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
