import { timingSafeEqual } from 'node:crypto'
import type { OAuth2Client } from '../protocol/client.ts'
import { InvalidClient, RequestForbidden } from '../protocol/errors.ts'
import type { Browser, CsrfKind } from './browser.ts'
import type { Outcome } from '../protocol/outcome.ts'

/**
 * The browser returning a verifier must hold the CSRF cookie set when its challenge was issued. Returns the error
 * page to show (request_forbidden, 403) when it does not, else null.
 */
export function csrfFailure(browser: Browser, kind: CsrfKind, clientId: string | null, expected: string): Outcome | null {
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

/**
 * A verifier brought back to the authorization endpoint must be for this request's client (invalid_client) and come
 * from the browser its challenge was issued to (its CSRF cookie). Returns the error page to show, else null.
 */
export function returnFailure(
  browser: Browser,
  kind: CsrfKind,
  client: OAuth2Client,
  challenge: { csrf: string; request: { client_id: string } },
): Outcome | null {
  if (challenge.request.client_id !== client.client_id) {
    throw InvalidClient.with({ hint: 'The flow client id does not match the authorize request client id.' })
  }
  return csrfFailure(browser, kind, client.client_id, challenge.csrf)
}
