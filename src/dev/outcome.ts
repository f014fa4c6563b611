import type { AdminResult } from '../flow/challenge.ts'
import { NotFound, OAuthError, RequestForbidden } from '../protocol/errors.ts'
import { PAGE_CONFIG_KEYS, type BuiltinPage } from '../flow/apps.ts'
import { STYLE_HASH, page, h } from './page.ts'
import type { Outcome } from '../protocol/outcome.ts'

/** A built-in page: its one inline style sheet is allowed by hash. */
export const html = (status: number, body: string): Outcome => ({ kind: 'page', status, html: body, styleHashes: [STYLE_HASH] })

/** An OAuth error as a page; an HTML 401 would demand a WWW-Authenticate challenge, so it shows as 400. */
export function errorOutcome(err: OAuthError): Outcome {
  const body =
    `<h1>Something went wrong</h1><p class="error"><code>${h(err.error)}</code></p>` +
    `<p>${h(err.fullDescription)}</p>`
  return html(err.status === 401 ? 400 : err.status, page('Error', body))
}

/** The answer outside --dev, or when the operator configured an app of their own for this page. */
export function inactive(what: BuiltinPage | 'callback'): Outcome {
  const hint =
    what === 'callback'
      ? 'The demo callback is only served under --dev while the built-in login and consent pages are in use.'
      : `The built-in ${what.replace('_', ' ')} page is only served under --dev while ${PAGE_CONFIG_KEYS[what]} is not configured.`
  return errorOutcome(NotFound.with({ hint }))
}

/** A POST without the token of its page. */
export const forged = (): Outcome =>
  errorOutcome(RequestForbidden.with({ hint: 'The form is missing its anti-forgery token, or the token belongs to another request.' }))

/**
 * Where an accept or reject sends the browser: its `redirect_to`. A challenge handled before (410) sends the
 * browser on to the redirect recorded then, as the admin API reports it.
 */
export function follow(result: AdminResult): Outcome {
  const to = (result.body as { redirect_to?: unknown } | null)?.redirect_to
  if (typeof to === 'string' && to) return { kind: 'redirect', location: to }
  return errorOutcome(NotFound.with({ hint: 'This request was already handled.' }))
}

/** Runs a page handler; protocol refusals (invalid or expired challenges, bad input) become error pages. */
export async function guarded(run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof OAuthError) return errorOutcome(err)
    throw err
  }
}
