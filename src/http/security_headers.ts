import type { PagePolicy } from '../protocol/outcome.ts'

/**
 * Headers of every redirect and HTML page of the browser-facing endpoints: never cached (RFC 6749 §5.1,
 * RFC 9700 §4.2.4), never framed (clickjacking, RFC 6749 §10.13), no referrer leaking codes or challenges.
 */
export function securityHeaders(policy: PagePolicy = {}): Record<string, string> {
  const csp = ["default-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]
  if (policy.scriptHashes?.length) csp.push(`script-src ${policy.scriptHashes.map((h) => `'${h}'`).join(' ')}`)
  if (policy.frameSrc?.length) csp.push(`frame-src ${policy.frameSrc.join(' ')}`)
  if (policy.styleHashes?.length) csp.push(`style-src ${policy.styleHashes.map((h) => `'${h}'`).join(' ')}`)
  return {
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'content-security-policy': csp.join('; '),
  }
}

/** A 302 redirect with the security headers; `setCookies` are appended as Set-Cookie headers. */
export function redirectResponse(location: string, setCookies: readonly string[] = []): Response {
  const headers = new Headers({ ...securityHeaders(), location })
  for (const cookie of setCookies) headers.append('set-cookie', cookie)
  return new Response(null, { status: 302, headers })
}

/** An HTML page with the security headers and a CSP allowing only `policy`. */
export function htmlResponse(html: string, status: number, policy: PagePolicy = {}, setCookies: readonly string[] = []): Response {
  const headers = new Headers({ ...securityHeaders(policy), 'content-type': 'text/html; charset=utf-8' })
  for (const cookie of setCookies) headers.append('set-cookie', cookie)
  return new Response(html, { status, headers })
}
