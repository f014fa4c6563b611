import { createHash } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose'
import type { TokenEndpointAuthMethod } from '../../protocol/client.ts'
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

const fail = (hint: string) => InvalidClient.with({ hint })

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
  const nowS = seconds(now)
  const key = await policy.key(ctx, record)
  let payload
  try {
    // RFC 7523 §3: iss and sub MUST be the client_id, aud MUST identify the authorization server, exp is required.
    const options = {
      algorithms: [alg],
      issuer: clientId,
      subject: clientId,
      audience: input.audiences,
      requiredClaims: ['exp', 'jti'],
      currentDate: new Date(now),
      clockTolerance: ASSERTION_LEEWAY_S,
    }
    ;({ payload } = typeof key === 'function' ? await jwtVerify(jwt, key, options) : await jwtVerify(jwt, key, options))
  } catch (err) {
    throw assertionError(err)
  }

  const exp = payload.exp as number
  const iat = payload.iat
  if (iat !== undefined && iat > nowS + ASSERTION_LEEWAY_S) throw fail('The client assertion was issued in the future (iat).')
  if (exp - nowS > MAX_ASSERTION_LIFETIME_S + ASSERTION_LEEWAY_S || (iat !== undefined && exp - iat > MAX_ASSERTION_LIFETIME_S)) {
    throw fail(`The client assertion must not be valid for more than ${MAX_ASSERTION_LIFETIME_S} seconds.`)
  }
  const jti = payload.jti
  if (typeof jti !== 'string' || !jti) throw fail('The client assertion must carry a jti claim.')
  // RFC 7523 §3: the jti may be used only once; it is remembered until the assertion expires.
  const signature = createHash('sha256').update(`${clientId}:${jti}`).digest('hex')
  if (!(await ctx.store.jti.remember(signature, (exp + ASSERTION_LEEWAY_S) * 1000, now))) {
    throw fail('The client assertion jti has already been used.')
  }
}

function assertionError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err
  if (err instanceof joseErrors.JWTExpired) return fail('The client assertion has expired.')
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return fail(`The client assertion claim "${err.claim}" is invalid: ${err.reason.replaceAll('_', ' ')}.`)
  }
  return InvalidClient.with(signatureFailure(err, 'client assertion'))
}
