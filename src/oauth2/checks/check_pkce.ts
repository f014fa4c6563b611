import { InvalidRequest } from '../../protocol/errors.ts'
import { isValidS256Challenge, pkceRequired } from '../pkce.ts'
import type { Check } from './authorization_request.ts'

/**
 * RFC 7636 §4.3 with RFC 9700 §2.1.1: S256 only (plain is refused, including by omission of the method), required
 * for public clients and, with `oauth2.pkce.enforced`, for every client.
 */
export const checkPkce: Check = (r) => {
  const challenge = r.params.get('code_challenge')
  const method = r.params.get('code_challenge_method')
  if (challenge === undefined || challenge === '') {
    if (method !== undefined) throw InvalidRequest.with({ hint: 'code_challenge_method was sent without a code_challenge.' })
    if (pkceRequired(r.ctx.config, r.client!)) {
      throw InvalidRequest.with({
        hint: 'Clients must include a code_challenge when performing the authorize code flow, but it is missing.',
      })
    }
    return
  }
  // RFC 7636 §4.3: a missing method means plain.
  if (method === undefined || method === 'plain') {
    throw InvalidRequest.with({ hint: 'Clients must use code_challenge_method=S256, plain is not allowed.' })
  }
  if (method !== 'S256') throw InvalidRequest.with({ hint: `The code_challenge_method "${method}" is not supported; use S256.` })
  if (!isValidS256Challenge(challenge)) {
    throw InvalidRequest.with({ hint: 'The code_challenge must be a base64url SHA-256 digest of 43 characters.' })
  }
  r.codeChallenge = challenge
  r.codeChallengeMethod = 'S256'
}
