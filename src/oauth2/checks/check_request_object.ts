import { OAuthError } from '../../protocol/errors.ts'
import type { Check } from './authorization_request.ts'

const RequestNotSupported = new OAuthError('request_not_supported', 400, 'The OP does not support use of the request parameter.')
const RequestUriNotSupported = new OAuthError(
  'request_uri_not_supported',
  400,
  'The OP does not support use of the request_uri parameter.',
)

/** OIDC Core §3.1.2.6, §6: request objects are not supported, and saying so beats ignoring them. */
export const checkRequestObject: Check = (r) => {
  if (r.params.has('request')) throw RequestNotSupported
  if (r.params.has('request_uri')) throw RequestUriNotSupported
}
