import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose'
import type { OAuth2Client } from '../protocol/client.ts'
import type { OAuth2Context } from './context.ts'

const localSets = new WeakMap<object, JWTVerifyGetKey>()

/**
 * The public keys a client signs with: its registered `jwks`, else the set published at its `jwks_uri` (fetched
 * through the JWKS cache); null when it registered neither. Used for client assertions and request objects.
 */
export function clientKeys(ctx: Pick<OAuth2Context, 'jwksCache'>, client: OAuth2Client): JWTVerifyGetKey | null {
  const { jwks, jwks_uri } = client
  if (jwks && Array.isArray(jwks.keys) && jwks.keys.length > 0) {
    let local = localSets.get(jwks)
    if (!local) localSets.set(jwks, (local = createLocalJWKSet(jwks as JSONWebKeySet)))
    return local
  }
  if (jwks_uri) return ctx.jwksCache.resolver(jwks_uri)
  return null
}

/**
 * Why a JWT signed with a client's keys (`what`: "client assertion", "request object") failed to verify, as an
 * error hint and debug text. Rethrows what is not a verification failure.
 */
export function signatureFailure(err: unknown, what: string): { hint: string; debug?: string } {
  if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return { hint: `No unique key of the client matches the ${what} header.` }
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return { hint: `The ${what} signature is invalid.` }
  if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return { hint: `The ${what} could not be verified.`, debug: err.message }
  throw err
}
