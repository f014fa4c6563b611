import type { ClientAuthMethodHandler } from '../types.ts'
import { verifyClientSecret } from './client_secret.ts'

/** RFC 6749 §2.3.1 client_secret_post: `client_id` and `client_secret` in the form body. */
export const clientSecretPost: ClientAuthMethodHandler = {
  method: 'client_secret_post',
  presents: (input) => input.params.has('client_secret'),
  claimedClientId: (input) => input.params.get('client_id') || null,
  verify: (ctx, record, input) => verifyClientSecret(ctx, record, input.params.get('client_secret')),
}
