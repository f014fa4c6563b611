import { InvalidRequest } from '../../protocol/errors.ts'
import type { Check } from './authorization_request.ts'

/** OIDC Core §3.1.2.1: an OpenID Connect request REQUIRES redirect_uri, even with one registered URI. */
export const checkOpenIdRedirectUri: Check = (r) => {
  if (r.scope.includes('openid') && !r.params.get('redirect_uri')) {
    throw InvalidRequest.with({ hint: "The 'redirect_uri' parameter is required when using OpenID Connect 1.0." })
  }
}
