import type { OAuthError } from './errors.ts'

/** What an HTML page may load beyond nothing at all; it becomes the page's Content-Security-Policy. */
export interface PagePolicy {
  /** CSP hash sources (`sha256-…`) of the inline scripts the page runs. */
  scriptHashes?: readonly string[]
  /** CSP hash sources of the inline style sheets it uses. */
  styleHashes?: readonly string[]
  /** Origins the page may embed in iframes (front-channel logout). */
  frameSrc?: readonly string[]
}

/**
 * What a browser-facing endpoint answers (authorization, end session, the built-in pages). src/http/outcome.ts
 * renders it, with the security headers and the Set-Cookie headers the browser collected.
 */
export type Outcome =
  | { kind: 'redirect'; location: string }
  | ({ kind: 'page'; status: number; html: string } & PagePolicy)
  /** An error shown to the user (the built-in error page), never sent to an untrusted redirect URI. */
  | { kind: 'error_page'; error: OAuthError }
