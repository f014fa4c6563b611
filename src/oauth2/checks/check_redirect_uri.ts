import { InvalidRequest } from '../../protocol/errors.ts'
import type { Check } from './authorization_request.ts'
import { resolveRedirectUri } from './redirect_uri.ts'

/**
 * RFC 6749 §3.1.2.3, §4.1.2.1: the redirect URI must match a registered one exactly (port ignored for loopback
 * only) before anything, errors included, is sent there.
 */
export const checkRedirectUri: Check = (r) => {
  const resolved = resolveRedirectUri(r.params.get('redirect_uri'), r.client!.redirect_uris ?? [])
  if (resolved === null) {
    throw InvalidRequest.with({
      hint: "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.",
    })
  }
  r.redirectUri = resolved
}
