import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { OAuthError } from '../../protocol/errors.ts'
import { escapeHtml } from '../../util/html.ts'
import { parseParams } from '../../protocol/params.ts'
import { htmlResponse } from '../security_headers.ts'

/** The built-in error page (Hydra's `/oauth2/fallbacks/error`): the error and its description, escaped. */
export function errorPage(error: string, description: string): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>An error occurred</title></head><body>' +
    `<h1>An error occurred</h1><p><code>${escapeHtml(error)}</code></p><p>${escapeHtml(description)}</p>` +
    '</body></html>'
  )
}

/** An OAuthError as the error page; an HTML 401 would demand a WWW-Authenticate challenge, so it shows as 400. */
export function errorPageResponse(err: OAuthError, setCookies: readonly string[] = []): Response {
  const status = err.status === 401 ? 400 : err.status
  return htmlResponse(errorPage(err.error, err.fullDescription), status, {}, setCookies)
}

/** `GET /oauth2/fallbacks/error?error=&error_description=`: where errors go when `urls.error` is not configured. */
export const fallbacksRoutes = (_ctx: AppContext) =>
  new Elysia({ name: 'public-fallbacks' }).get('/oauth2/fallbacks/error', ({ request }) => {
    let query = new Map<string, string>()
    try {
      query = parseParams(new URL(request.url).searchParams)
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err
      return errorPageResponse(err)
    }
    return htmlResponse(errorPage(query.get('error') || 'unknown_error', query.get('error_description') ?? ''), 400)
  })
