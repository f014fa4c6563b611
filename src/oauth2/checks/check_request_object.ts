import { compactVerify, decodeProtectedHeader } from 'jose'
import { ASYMMETRIC_ALGS } from '../../clients/validate.ts'
import type { OAuth2Client } from '../../protocol/client.ts'
import { OAuthError } from '../../protocol/errors.ts'
import { duplicateMemberName, isRecord } from '../../protocol/json.ts'
import { parseParams, type Params } from '../../protocol/params.ts'
import { seconds } from '../../util/clock.ts'
import { ASSERTION_LEEWAY_S } from '../client_auth/client_assertion.ts'
import { clientKeys, signatureFailure } from '../client_keys.ts'
import type { OAuth2Context } from '../context.ts'
import type { Check } from './authorization_request.ts'

/** RFC 9101 §7, OIDC Core §3.1.2.6. */
export const InvalidRequestObject = new OAuthError('invalid_request_object', 400, 'The request parameter contains an invalid Request Object.')

/**
 * Algorithms a request object may use (`request_object_signing_alg_values_supported`): the signatures a client may
 * register, and `none` for the clients that registered `request_object_signing_alg: none`.
 */
export const REQUEST_OBJECT_SIGNING_ALGS: readonly string[] = ['none', ...ASYMMETRIC_ALGS]

/** Claims of the JWT itself rather than parameters of the request (RFC 9101 §4, RFC 7519 §4.1). */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti'])

const fail = (hint: string) => InvalidRequestObject.with({ hint })

// A client's jwks_uri that cannot be fetched fails as invalid_client: here it is the request object that fails.
const verificationError = (err: unknown): OAuthError =>
  InvalidRequestObject.with(err instanceof OAuthError ? { hint: err.hint, debug: err.debug } : signatureFailure(err, 'request object'))

/** The payload of a request object whose signature (or, for `none`, whose absence of one) the client's registration allows. */
async function verifiedPayload(ctx: OAuth2Context, client: OAuth2Client, jwt: string): Promise<Uint8Array> {
  const parts = jwt.split('.')
  if (parts.length === 5) throw fail('Encrypted request objects are not supported.')
  let alg: unknown
  try {
    ;({ alg } = decodeProtectedHeader(jwt))
  } catch {
    throw fail('The request object is not a well-formed JWT.')
  }
  if (parts.length !== 3 || typeof alg !== 'string') throw fail('The request object is not a well-formed JWT.')
  const registered = client.request_object_signing_alg
  // OIDC Registration §2: request objects not signed with the registered request_object_signing_alg MUST be rejected.
  if (registered && alg !== registered) {
    throw fail(`The request object uses signing algorithm "${alg}", but the OAuth 2.0 Client enforces "${registered}".`)
  }
  if (alg === 'none') {
    if (registered !== 'none') throw fail('The OAuth 2.0 Client did not register request_object_signing_alg "none", so request objects must be signed.')
    if (parts[2] !== '') throw fail('An unsigned request object must have an empty signature.')
    return Buffer.from(parts[1]!, 'base64url')
  }
  if (!ASYMMETRIC_ALGS.includes(alg)) throw fail(`The request object signing algorithm "${alg}" is not supported.`)
  const keys = clientKeys(ctx, client)
  if (!keys) throw fail('The OAuth 2.0 Client has no JSON Web Keys (jwks or jwks_uri) to verify the request object.')
  try {
    return (await compactVerify(jwt, keys, { algorithms: [alg] })).payload
  } catch (err) {
    throw verificationError(err)
  }
}

/**
 * Verifies a request object (RFC 9101 §6.1–6.2, OIDC Core §6.1) for `client`: the signature, its time limits,
 * `iss` = client_id and `aud` = this issuer when they are present. Returns its claims.
 */
export async function verifyRequestObject(ctx: OAuth2Context, client: OAuth2Client, jwt: string): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await verifiedPayload(ctx, client, jwt))
  let claims: unknown
  try {
    claims = JSON.parse(text)
  } catch {
    throw fail('The request object payload is not JSON.')
  }
  if (!isRecord(claims)) throw fail('The request object payload is not a JSON object.')
  const duplicate = duplicateMemberName(text)
  if (duplicate !== null) throw fail(`The request object has the claim "${duplicate}" more than once.`)
  const now = seconds(ctx.clock())
  const { exp, nbf, iss, aud } = claims
  if (exp !== undefined && (typeof exp !== 'number' || exp + ASSERTION_LEEWAY_S <= now)) throw fail('The request object has expired.')
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf - ASSERTION_LEEWAY_S > now)) throw fail('The request object is not valid yet (nbf).')
  // RFC 9101 §4: iss, when present, is the client_id; aud, when present, identifies this authorization server.
  if (iss !== undefined && iss !== client.client_id) throw fail('The request object issuer (iss) is not the OAuth 2.0 Client.')
  if (aud !== undefined && !(aud === ctx.issuer || (Array.isArray(aud) && aud.includes(ctx.issuer)))) {
    throw fail('The request object audience (aud) does not name this authorization server.')
  }
  return claims
}

/** The authorization request parameters a request object carries; values that are not strings travel as JSON. */
function requestParams(claims: Record<string, unknown>, clientId: string): Params {
  // RFC 9101 §4: a request object holds every parameter except request and request_uri.
  if ('request' in claims || 'request_uri' in claims) throw fail('The request object must not contain "request" or "request_uri".')
  // RFC 9101 §6.3: the client_id claim and the client_id parameter MUST be identical.
  if (claims.client_id !== undefined && claims.client_id !== clientId) {
    throw fail('The client_id of the request object does not match the client_id parameter.')
  }
  const entries: [string, string][] = []
  for (const [name, value] of Object.entries(claims)) {
    if (JWT_CLAIMS.has(name) || value === null || name === 'client_id') continue
    entries.push([name, typeof value === 'string' ? value : JSON.stringify(value)])
  }
  entries.push(['client_id', clientId])
  return parseParams(entries)
}

/**
 * RFC 9101 §6, OIDC Core §6.3: a request object (by value, or fetched by checkRequestUri) is verified, and then only
 * its parameters count (RFC 9101 §6.3, stricter than OIDC Core's merge), so the later checks validate its values.
 */
export const checkRequestObject: Check = async (r) => {
  const jwt = r.fetchedRequestObject ?? r.params.get('request')
  if (jwt === undefined) return
  const client = r.client!
  r.params = requestParams(await verifyRequestObject(r.ctx, client, jwt), client.client_id)
  r.state = r.params.get('state') ?? null
}
