/** The browser hops whose CSRF value travels in a per-client cookie (Hydra's `<name>_<murmur3(client_id)>`). */
export type CsrfKind = 'login' | 'consent'

/**
 * The cookies of the user agent as the flow sees them. The HTTP layer implements it (src/http/cookies.ts):
 * names, sealing, attributes and Set-Cookie headers stay there, so flow code never touches HTTP.
 */
export interface Browser {
  /** The CSRF value of a flow kind for a client; null when the cookie is missing or cannot be opened. */
  readCsrf(kind: CsrfKind, clientId: string): string | null
  writeCsrf(kind: CsrfKind, clientId: string, value: string): void
  /** The login session id (`sid`) the session cookie holds; null when missing or forged. */
  readSessionId(): string | null
  /** Sets the session cookie to `sid` for `maxAgeMs`. */
  writeSession(sid: string, maxAgeMs: number): void
  clearSession(): void
}
