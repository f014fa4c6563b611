import { timingSafeEqual } from 'node:crypto'
import { RequestForbidden } from '../protocol/errors.ts'
import type { Browser, CsrfKind } from './browser.ts'
import type { Outcome } from '../protocol/outcome.ts'

/**
 * The browser returning a verifier must hold the CSRF cookie set when its challenge was issued. Returns the error
 * page to show (request_forbidden, 403) when it does not, else null.
 */
export function csrfFailure(browser: Browser, kind: CsrfKind, clientId: string, expected: string): Outcome | null {
  const value = browser.readCsrf(kind, clientId)
  if (value === null) {
    return { kind: 'error_page', error: RequestForbidden.with({ hint: 'No CSRF value available in the session cookie.' }) }
  }
  const a = Buffer.from(value)
  const b = Buffer.from(expected)
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return {
      kind: 'error_page',
      error: RequestForbidden.with({ hint: 'The CSRF value from the token does not match the CSRF value from the data store.' }),
    }
  }
  return null
}
