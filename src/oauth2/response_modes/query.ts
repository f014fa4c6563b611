/**
 * `response_mode=query` (OAuth 2.0 Multiple Response Types §2.1): parameters added to the redirect URI's query,
 * keeping the query it already has (RFC 6749 §3.1.2).
 */
export function queryResponse(redirectUri: string, params: readonly (readonly [string, string])[]): string {
  const url = new URL(redirectUri)
  for (const [name, value] of params) url.searchParams.append(name, value)
  return url.href
}
