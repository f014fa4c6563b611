import type { Outcome } from '../protocol/outcome.ts'
import { errorPageResponse } from './public/fallbacks.ts'
import { htmlResponse, redirectResponse } from './security_headers.ts'

/** The one renderer of browser-facing outcomes: security headers, the page's CSP, the browser's Set-Cookie headers. */
export function renderOutcome(outcome: Outcome, setCookies: readonly string[] = []): Response {
  switch (outcome.kind) {
    case 'redirect':
      return redirectResponse(outcome.location, setCookies)
    case 'page':
      return htmlResponse(outcome.html, outcome.status, outcome, setCookies)
    case 'error_page':
      return errorPageResponse(outcome.error, setCookies)
  }
}
