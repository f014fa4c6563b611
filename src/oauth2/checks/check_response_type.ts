import { InvalidRequest, UnauthorizedClient, UnsupportedResponseType } from '../../protocol/errors.ts'
import type { Check } from './authorization_request.ts'

/** RFC 6749 §4.1.1: response_type is REQUIRED and only `code` is issued here. */
export const checkResponseType: Check = (r) => {
  const value = r.params.get('response_type')
  if (!value) throw InvalidRequest.with({ hint: 'The request is missing the "response_type" parameter.' })
  const types = value.split(' ').filter(Boolean)
  // RFC 6749 §4.1.2.1: unsupported_response_type.
  if (types.length !== 1 || types[0] !== 'code') {
    throw UnsupportedResponseType.with({ hint: `The response_type "${value}" is not supported; use "code".` })
  }
  const client = r.client!
  if (!(client.response_types ?? []).includes('code')) {
    throw UnsupportedResponseType.with({ hint: 'The client is not allowed to request response_type "code".' })
  }
  // RFC 6749 §4.1.2.1: unauthorized_client when the client may not obtain a code this way.
  if (!(client.grant_types ?? []).includes('authorization_code')) {
    throw UnauthorizedClient.with({ hint: 'The OAuth 2.0 Client is not allowed to use authorization grant "authorization_code".' })
  }
}
