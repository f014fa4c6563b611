/**
 * The browser hops whose CSRF value travels in a cookie: per client for login and consent (Hydra's
 * `<name>_<murmur3(client_id)>`), one per browser for the device verification, which starts before the client is known.
 */
export type CsrfKind = 'login' | 'consent' | 'device'

/**
 * The cookies of the user agent as the flow sees them. The HTTP layer implements it (src/http/cookies.ts):
 * names, sealing, attributes and Set-Cookie headers stay there, so flow code never touches HTTP.
 */
export interface Browser {
  /** The CSRF value of a flow kind for a client (none for `device`); null when the cookie is missing or cannot be opened. */
  readCsrf(kind: CsrfKind, clientId: string | null): string | null
  writeCsrf(kind: CsrfKind, clientId: string | null, value: string): void
  /** The login session id (`sid`) the session cookie holds; null when missing or forged. */
  readSessionId(): string | null
  /** Sets the session cookie to `sid` for `maxAgeMs`. */
  writeSession(sid: string, maxAgeMs: number): void
  clearSession(): void
}
