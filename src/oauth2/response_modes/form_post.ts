import { createHash } from 'node:crypto'
import { escapeHtml } from '../../util/html.ts'

const SUBMIT = 'document.forms[0].submit()'

/** The CSP hash source of the page's only script. */
export const FORM_POST_SCRIPT_HASH = `sha256-${createHash('sha256').update(SUBMIT).digest('base64')}`

/**
 * `response_mode=form_post` (OAuth 2.0 Form Post Response Mode §2): an HTML page that POSTs the parameters to the
 * redirect URI as soon as it loads; every value is HTML-escaped.
 */
export function formPostPage(redirectUri: string, params: readonly (readonly [string, string])[]): string {
  const inputs = params
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('')
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Submit This Form</title></head>' +
    `<body><form method="post" action="${escapeHtml(redirectUri)}">${inputs}` +
    '<noscript><button type="submit">Continue</button></noscript></form>' +
    `<script>${SUBMIT}</script></body></html>`
  )
}
