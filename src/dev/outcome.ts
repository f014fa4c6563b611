import type { AdminResult } from '../flow/handled.ts'
import { NotFound, OAuthError, RequestForbidden } from '../protocol/errors.ts'
import type { BuiltinPage } from './builtin_pages.ts'
import { page, h } from './page.ts'

/** What a built-in page answers; the HTTP layer adds the security headers. */
export type PageOutcome = { kind: 'redirect'; location: string } | { kind: 'html'; status: number; html: string }

export const html = (status: number, body: string): PageOutcome => ({ kind: 'html', status, html: body })

/** An OAuth error as a page; an HTML 401 would demand a WWW-Authenticate challenge, so it shows as 400. */
export function errorOutcome(err: OAuthError): PageOutcome {
  const body =
    `<h1>Something went wrong</h1><p class="error"><code>${h(err.error)}</code></p>` +
    `<p>${h(err.fullDescription)}</p>`
  return html(err.status === 401 ? 400 : err.status, page('Error', body))
}

/** The answer outside --dev, or when the operator configured an app of their own for this page. */
export function inactive(what: BuiltinPage | 'callback'): PageOutcome {
  const hint =
    what === 'callback'
      ? 'The demo callback is only served under --dev while the built-in login and consent pages are in use.'
      : `The built-in ${what} page is only served under --dev while urls.${what} is not configured.`
  return errorOutcome(NotFound.with({ hint }))
}

/** A POST without the token of its page. */
export const forged = (): PageOutcome =>
  errorOutcome(RequestForbidden.with({ hint: 'The form is missing its anti-forgery token, or the token belongs to another request.' }))

/**
 * Where an accept or reject sends the browser: its `redirect_to`. A challenge handled before (410) sends the
 * browser on to the redirect recorded then, as the admin API reports it.
 */
export function follow(result: AdminResult): PageOutcome {
  const to = (result.body as { redirect_to?: unknown } | null)?.redirect_to
  if (typeof to === 'string' && to) return { kind: 'redirect', location: to }
  return errorOutcome(NotFound.with({ hint: 'This request was already handled.' }))
}

/** Runs a page handler; protocol refusals (invalid or expired challenges, bad input) become error pages. */
export async function guarded(run: () => Promise<PageOutcome>): Promise<PageOutcome> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof OAuthError) return errorOutcome(err)
    throw err
  }
}
