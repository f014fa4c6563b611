import { InvalidRequest, OAuthError } from '../../protocol/errors.ts'
import { assertOutboundAllowed, readLimited, type OutboundPolicy } from '../../util/outbound_guard.ts'
import type { Check } from './authorization_request.ts'

/** RFC 9101 §7, OIDC Core §3.1.2.6. */
export const InvalidRequestUri = new OAuthError(
  'invalid_request_uri',
  400,
  'The request_uri in the authorization request returns an error or contains invalid data.',
)

export interface RequestUriLimits {
  /** Time limit of the fetch, body included (ms). */
  timeoutMs: number
  /** Largest accepted request object (bytes). */
  maxBytes: number
}

export const REQUEST_URI_LIMITS: RequestUriLimits = { timeoutMs: 5_000, maxBytes: 64 * 1024 }

const withoutFragment = (uri: string) => uri.split('#', 1)[0]!

/**
 * OIDC Core §6.2, OIDC Registration §2: a request_uri must be one the client registered in `request_uris`. The
 * fragment is not part of the match: it only tells a cache that the content changed.
 */
export const isRegisteredRequestUri = (registered: readonly string[], uri: string): boolean =>
  registered.some((r) => withoutFragment(r) === withoutFragment(uri))

/**
 * Fetches the request object a request_uri points at (RFC 9101 §5.2.3): GET through the outbound guard
 * (`clients.http`), no redirects, a time and a size limit, 200 only. Every failure is invalid_request_uri.
 */
export async function fetchRequestObject(policy: OutboundPolicy, uri: string, limits = REQUEST_URI_LIMITS): Promise<string> {
  const fail = (debug: string) => InvalidRequestUri.with({ hint: 'The request object could not be fetched from the request_uri.', debug })
  let url: URL
  try {
    url = new URL(withoutFragment(uri))
  } catch {
    throw fail('request_uri is not a URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('request_uri is not an http(s) URL')
  const signal = AbortSignal.timeout(limits.timeoutMs)
  try {
    await assertOutboundAllowed(policy, url.href)
    const res = await fetch(url.href, { signal, redirect: 'manual', headers: { accept: 'application/oauth-authz-req+jwt, application/jwt' } })
    if (res.status !== 200) {
      await res.body?.cancel()
      throw fail(`request_uri answered HTTP ${res.status}`)
    }
    return (await readLimited(res, limits.maxBytes, () => fail(`request_uri answered more than ${limits.maxBytes} bytes`))).trim()
  } catch (err) {
    if (err instanceof OAuthError) throw err
    throw fail(signal.aborted ? 'request_uri timed out' : `request_uri fetch failed: ${(err as Error).message}`)
  }
}

/**
 * RFC 9101 §5.2, OIDC Core §6.2: a request object passed by reference is fetched from a registered request_uri and
 * then verified as one passed by value (checkRequestObject).
 */
export const checkRequestUri: Check = async (r) => {
  const uri = r.params.get('request_uri')
  if (uri === undefined) return
  // OIDC Core §6: request and request_uri MUST NOT be used in the same request.
  if (r.params.has('request')) {
    throw InvalidRequest.with({ hint: "The parameters 'request' and 'request_uri' were both given, but you can use at most one." })
  }
  if (!isRegisteredRequestUri(r.client!.request_uris ?? [], uri)) {
    throw InvalidRequestUri.with({ hint: 'The request_uri is not registered by the OAuth 2.0 Client (request_uris).' })
  }
  r.fetchedRequestObject = await fetchRequestObject(r.ctx.config.clients.http, uri)
}
