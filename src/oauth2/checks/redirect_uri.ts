const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]'])

function parse(uri: string): URL | null {
  try {
    return new URL(uri)
  } catch {
    return null
  }
}

/**
 * Whether a requested redirect URI matches a registered one: exact string comparison (RFC 9700 §4.1.3), except
 * that for http loopback IP literals the port is ignored (RFC 8252 §7.3); host, path and query still match.
 */
export function redirectUriMatches(requested: string, registered: string): boolean {
  if (requested === registered) return true
  const a = parse(requested)
  const b = parse(registered)
  if (!a || !b || a.protocol !== 'http:' || b.protocol !== 'http:') return false
  if (!LOOPBACK_HOSTS.has(a.hostname) || a.hostname !== b.hostname) return false
  return a.pathname === b.pathname && a.search === b.search && a.hash === '' && b.hash === '' && a.username === b.username && a.password === b.password
}

/**
 * Picks the redirect URI of an authorization request: the requested one when it matches a registered one, or the
 * only registered one when none was requested (RFC 6749 §3.1.2.3). Null means "do not redirect".
 */
export function resolveRedirectUri(requested: string | undefined, registered: readonly string[]): string | null {
  if (requested === undefined) return registered.length === 1 ? registered[0]! : null
  if (requested.includes('#')) return null // RFC 6749 §3.1.2: the endpoint URI MUST NOT include a fragment
  return registered.some((r) => redirectUriMatches(requested, r)) ? requested : null
}

const isLoopbackHost = (host: string) =>
  host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host)

/**
 * Whether a redirect URI vouches for a public client (RFC 6749 §10.2, RFC 8252 §8.6): https, or http on a
 * loopback host. Only then may remembered consent be reused without asking the user again.
 */
export function isHttpsOrLoopback(uri: string): boolean {
  const url = parse(uri)
  if (!url) return false
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
}
