import { createHash } from 'node:crypto'
import {
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose'
import type { TokenEndpointAuthMethod } from '../../protocol/client.ts'
import type { CoreContext } from '../../protocol/context.ts'
import type { OAuth2Context } from '../context.ts'
import type { ClientRecord } from '../../protocol/services.ts'
import { seconds } from '../../util/clock.ts'
import { InvalidClient, OAuthError } from '../../protocol/errors.ts'
import type { ClientAuthInput } from '../types.ts'
import { signatureFailure } from '../client_keys.ts'

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** Clock skew tolerated on `exp`, `nbf` and `iat` (seconds). */
export const ASSERTION_LEEWAY_S = 30
/** Longest accepted assertion lifetime: `exp` at most this far past `iat` and past now (seconds). */
export const MAX_ASSERTION_LIFETIME_S = 3600

const HMAC_ALG = /^HS(256|384|512)$/

/** Whether the request carries a client assertion at all (RFC 7521 §4.2). */
export const carriesAssertion = (input: ClientAuthInput) =>
  input.params.has('client_assertion') || input.params.has('client_assertion_type')

/** The `alg` of the assertion's protected header, or null when it cannot be read. */
export function assertionAlg(input: ClientAuthInput): string | null {
  const jwt = input.params.get('client_assertion')
  if (!jwt) return null
  try {
    const { alg } = decodeProtectedHeader(jwt)
    return typeof alg === 'string' ? alg : null
  } catch {
    return null
  }
}

/** Whether an assertion is MAC-protected (client_secret_jwt) rather than signed (private_key_jwt). */
export const isHmacAssertion = (input: ClientAuthInput) => HMAC_ALG.test(assertionAlg(input) ?? '')

/** The client the unverified assertion names (`sub`, RFC 7523 §3), else the `client_id` parameter. */
export function assertionClientId(input: ClientAuthInput): string | null {
  const jwt = input.params.get('client_assertion')
  if (jwt) {
    try {
      const { sub } = decodeJwt(jwt)
      if (typeof sub === 'string' && sub) return sub
    } catch {
      // unreadable: fall back to the parameter; verification fails later
    }
  }
  return input.params.get('client_id') || null
}

/** How the failures of one use of JWT assertions are reported: the OAuth error, and what hints call the assertion. */
export interface AssertionFailure {
  readonly error: OAuthError
  readonly noun: string
}

/** RFC 7523 §3.2: a client assertion that fails is invalid_client. */
const CLIENT_ASSERTION: AssertionFailure = { error: InvalidClient, noun: 'client assertion' }

const fail = (hint: string) => CLIENT_ASSERTION.error.with({ hint })

/** The values an assertion's `aud` may name at the token endpoint: its URL and the issuer (RFC 7523 §3 item 3). */
export const tokenEndpointAudiences = (ctx: Pick<CoreContext, 'publicUrl' | 'issuer'>) => [`${ctx.publicUrl}/oauth2/token`, ctx.issuer]

/**
 * Verifies an assertion's signature with `key` and its registered claims at `now` (RFC 7523 §3: `aud` among
 * `options.audience`, `exp`, `nbf`), tolerating ASSERTION_LEEWAY_S of clock skew. Throws jose's errors as they are.
 */
export function verifyAssertionJwt(jwt: string, key: CryptoKey | Uint8Array | JWTVerifyGetKey, options: JWTVerifyOptions, now: number) {
  const all = { ...options, currentDate: new Date(now), clockTolerance: ASSERTION_LEEWAY_S }
  return typeof key === 'function' ? jwtVerify(jwt, key, all) : jwtVerify(jwt, key, all)
}

/**
 * RFC 7523 §3 items 5–6: an assertion issued no later than now (with leeway) and valid for at most `maxS` seconds,
 * counted from its `iat` and from now.
 */
export function checkAssertionLifetime(payload: JWTPayload, now: number, maxS: number, f: AssertionFailure): void {
  const nowS = seconds(now)
  const exp = payload.exp as number
  const iat = payload.iat
  if (iat !== undefined && iat > nowS + ASSERTION_LEEWAY_S) throw f.error.with({ hint: `The ${f.noun} was issued in the future (iat).` })
  if (exp - nowS > maxS + ASSERTION_LEEWAY_S || (iat !== undefined && exp - iat > maxS)) {
    throw f.error.with({ hint: `The ${f.noun} must not be valid for more than ${maxS} seconds.` })
  }
}

/**
 * RFC 7523 §3 item 7: records the `jti` of an issuer's assertion until it expires (`exp`, seconds), once across
 * every node; false when it was seen before and is still remembered (a replay).
 */
export function rememberJti(ctx: Pick<CoreContext, 'store'>, issuer: string, jti: string, exp: number, now: number): Promise<boolean> {
  const signature = createHash('sha256').update(`${issuer}:${jti}`).digest('hex')
  return ctx.store.jti.remember(signature, (exp + ASSERTION_LEEWAY_S) * 1000, now)
}

export interface AssertionPolicy {
  method: TokenEndpointAuthMethod
  /** Algorithms the method accepts at all. */
  algorithms: readonly string[]
  /** Resolves the verification key for the client. */
  key(ctx: OAuth2Context, record: ClientRecord): Promise<JWTVerifyGetKey | Uint8Array>
}

/**
 * Verifies a JWT client assertion (RFC 7523 §2.2, §3; OIDC Core §9) for `record` and records its `jti`,
 * so the same assertion is accepted once. Throws InvalidClient with a hint on every failure.
 */
export async function verifyClientAssertion(
  ctx: OAuth2Context,
  record: ClientRecord,
  input: ClientAuthInput,
  policy: AssertionPolicy,
): Promise<void> {
  const client = record.client
  const clientId = client.client_id
  // RFC 7521 §4.2: client_assertion_type MUST be the JWT bearer type for a JWT assertion.
  if (input.params.get('client_assertion_type') !== JWT_BEARER_ASSERTION_TYPE) {
    throw fail(`The client_assertion_type parameter must be "${JWT_BEARER_ASSERTION_TYPE}".`)
  }
  const jwt = input.params.get('client_assertion')
  if (!jwt) throw fail('The client_assertion parameter is missing.')
  if (client.token_endpoint_auth_method !== policy.method) {
    throw fail(
      `The OAuth 2.0 Client supports client authentication method "${client.token_endpoint_auth_method}", but method "${policy.method}" was requested.`,
    )
  }
  // RFC 7521 §4.2: a client_id parameter, if present, MUST identify the client of the assertion.
  const param = input.params.get('client_id')
  if (param !== undefined && param !== clientId) {
    throw fail('The client_id parameter does not match the subject of the client assertion.')
  }

  const alg = assertionAlg(input)
  if (alg === null) throw fail('The client assertion is not a well-formed JWT.')
  if (!policy.algorithms.includes(alg)) {
    throw fail(`The client assertion algorithm "${alg}" is not allowed for method "${policy.method}".`)
  }
  // OIDC Registration §2: when token_endpoint_auth_signing_alg is registered, only that alg is used.
  const registered = client.token_endpoint_auth_signing_alg
  if (registered && alg !== registered) {
    throw fail(`The client assertion must be signed with the registered algorithm "${registered}".`)
  }

  const now = ctx.clock()
  const key = await policy.key(ctx, record)
  let payload
  try {
    // RFC 7523 §3: iss and sub MUST be the client_id, aud MUST identify the authorization server, exp is required.
    const options = { algorithms: [alg], issuer: clientId, subject: clientId, audience: input.audiences, requiredClaims: ['exp', 'jti'] }
    ;({ payload } = await verifyAssertionJwt(jwt, key, options, now))
  } catch (err) {
    throw assertionError(err, CLIENT_ASSERTION)
  }

  checkAssertionLifetime(payload, now, MAX_ASSERTION_LIFETIME_S, CLIENT_ASSERTION)
  const jti = payload.jti
  if (typeof jti !== 'string' || !jti) throw fail('The client assertion must carry a jti claim.')
  // RFC 7523 §3: the jti may be used only once; it is remembered until the assertion expires.
  if (!(await rememberJti(ctx, clientId, jti, payload.exp as number, now))) throw fail('The client assertion jti has already been used.')
}

/** jose's verification failures as the OAuth error `f` names, with a hint; anything else is rethrown. */
export function assertionError(err: unknown, f: AssertionFailure): OAuthError {
  const failure = (hint: string) => f.error.with({ hint })
  if (err instanceof OAuthError) return err
  if (err instanceof joseErrors.JWTExpired) return failure(`The ${f.noun} has expired.`)
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return failure(`The ${f.noun} claim "${err.claim}" is invalid: ${err.reason.replaceAll('_', ' ')}.`)
  }
  return f.error.with(signatureFailure(err, f.noun))
}
