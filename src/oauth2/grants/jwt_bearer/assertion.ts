import { decodeJwt, decodeProtectedHeader } from 'jose'
import { InvalidGrant, InvalidRequest } from '../../../protocol/errors.ts'
import type { AssertionFailure } from '../../client_auth/client_assertion.ts'

/** RFC 7523 §3.1: an assertion that is not valid is invalid_grant. */
export const GRANT_ASSERTION: AssertionFailure = { error: InvalidGrant, noun: 'assertion' }

/** An assertion as presented, read but not yet verified: what finds the key that must have signed it. */
export interface PresentedAssertion {
  jwt: string
  alg: string
  /** The `kid` of its header, if any. */
  kid?: string
  iss: string
  sub: string
}

const fail = (hint: string) => InvalidGrant.with({ hint })

/** RFC 7521 §4.1: the one `assertion` parameter, a JWT (RFC 7523 §2.1) naming its issuer and subject (§3 items 1, 2). */
export function readAssertion(params: ReadonlyMap<string, string>): PresentedAssertion {
  const jwt = params.get('assertion')
  // RFC 7521 §4.1: assertion is REQUIRED.
  if (!jwt) throw InvalidRequest.with({ hint: 'The request is missing the "assertion" parameter.' })
  let header
  let claims
  try {
    header = decodeProtectedHeader(jwt)
    claims = decodeJwt(jwt)
  } catch {
    // RFC 7523 §2.1: the assertion MUST contain a single JWT.
    throw fail('The assertion is not a well-formed JWT.')
  }
  if (typeof header.alg !== 'string' || header.alg === 'none') throw fail('The assertion must be signed.')
  if (header.kid !== undefined && (typeof header.kid !== 'string' || header.kid === '')) throw fail('The assertion "kid" header must be a key id.')
  // RFC 7523 §3 items 1 and 2: iss and sub MUST be present.
  if (typeof claims.iss !== 'string' || !claims.iss) throw fail('The assertion must carry an "iss" (issuer) claim.')
  if (typeof claims.sub !== 'string' || !claims.sub) throw fail('The assertion must carry a "sub" (subject) claim.')
  return { jwt, alg: header.alg, ...(header.kid !== undefined && { kid: header.kid }), iss: claims.iss, sub: claims.sub }
}
