import { OAuthError } from '../../protocol/errors.ts'
import { MIN_PARAMETER_ENTROPY, type Check } from './authorization_request.ts'

const InvalidState = new OAuthError(
  'invalid_state',
  400,
  'The state is missing or does not have enough characters and is therefore considered too weak.',
)

/** RFC 6819 §4.4.1.8 (CSRF against the redirect URI): state is required and must not be guessable (≥ 8 characters). */
export const checkState: Check = (r) => {
  if ((r.state ?? '').length < MIN_PARAMETER_ENTROPY) {
    throw InvalidState.with({
      hint: `Request parameter 'state' must be at least be ${MIN_PARAMETER_ENTROPY} characters long to ensure sufficient entropy.`,
    })
  }
}
