import type { ClientAuthMethodHandler } from '../types.ts'
import { carriesAssertion } from './client_assertion.ts'
import { clientSecretBasic } from './client_secret_basic.ts'

/** `none` (public clients, OIDC Registration §2): the client only names itself with `client_id`. */
export const none: ClientAuthMethodHandler = {
  method: 'none',
  presents: (input) =>
    input.params.has('client_id') &&
    !input.params.has('client_secret') &&
    !carriesAssertion(input) &&
    !clientSecretBasic.presents(input),
  claimedClientId: (input) => input.params.get('client_id') || null,
  // Nothing to verify: the registered method was checked to be `none`.
  verify: async () => {},
}
