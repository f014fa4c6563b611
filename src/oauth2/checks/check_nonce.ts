import { InvalidRequest } from '../../protocol/errors.ts'
import { MIN_PARAMETER_ENTROPY, type Check } from './authorization_request.ts'

/** OIDC Core §3.1.2.1, §15.5.2: nonce is optional for the code flow, but when sent it must not be guessable. */
export const checkNonce: Check = (r) => {
  const nonce = r.params.get('nonce')
  if (nonce === undefined) return
  if (nonce.length < MIN_PARAMETER_ENTROPY) {
    throw InvalidRequest.with({
      hint: `Parameter 'nonce' is set but does not satisfy the minimum entropy of ${MIN_PARAMETER_ENTROPY} characters.`,
    })
  }
  r.nonce = nonce
}
