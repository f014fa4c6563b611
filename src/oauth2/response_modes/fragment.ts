/** `response_mode=fragment` (OAuth 2.0 Multiple Response Types §2.1): parameters in the redirect URI's fragment. */
export function fragmentResponse(redirectUri: string, params: readonly (readonly [string, string])[]): string {
  // RFC 6749 §3.1.2: a registered redirect URI has no fragment of its own.
  return `${redirectUri}#${new URLSearchParams(params.map(([k, v]): [string, string] => [k, v])).toString()}`
}
