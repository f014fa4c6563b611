import type { OAuth2Context } from '../context.ts'
import type { OAuthError } from '../../protocol/errors.ts'
import type { Outcome } from '../../protocol/outcome.ts'
import { fragmentResponse } from './fragment.ts'
import { FORM_POST_SCRIPT_HASH, formPostPage } from './form_post.ts'
import { queryResponse } from './query.ts'

/** How the authorization response reaches the client. */
export type ResponseMode = 'query' | 'fragment' | 'form_post'

export const RESPONSE_MODES: readonly ResponseMode[] = ['query', 'fragment', 'form_post']

/** Where a response goes once client_id and redirect_uri are trusted. */
export interface ResponseTarget {
  redirect_uri: string
  response_mode: ResponseMode
  state: string | null
}

/** An RFC 6749 §4.1.2.1 error as it travels to the client. */
export interface ClientError {
  error: string
  error_description: string
}

function deliver(target: ResponseTarget, params: [string, string][]): Outcome {
  switch (target.response_mode) {
    case 'fragment':
      return { kind: 'redirect', location: fragmentResponse(target.redirect_uri, params) }
    case 'form_post':
      return { kind: 'page', status: 200, html: formPostPage(target.redirect_uri, params), scriptHashes: [FORM_POST_SCRIPT_HASH] }
    case 'query':
      return { kind: 'redirect', location: queryResponse(target.redirect_uri, params) }
  }
}

function withStateAndIssuer(ctx: OAuth2Context, target: ResponseTarget, params: [string, string][]): [string, string][] {
  // RFC 6749 §4.1.2, §4.1.2.1: state echoed exactly when the request had one.
  if (target.state !== null) params.push(['state', target.state])
  // RFC 9207 §2: every authorization response carries iss.
  params.push(['iss', ctx.issuer])
  return params
}

/** A successful authorization response (RFC 6749 §4.1.2). */
export const authorizationResponse = (ctx: OAuth2Context, target: ResponseTarget, params: [string, string][]) =>
  deliver(target, withStateAndIssuer(ctx, target, params))

/** An error response to the client (RFC 6749 §4.1.2.1). */
export const authorizationError = (ctx: OAuth2Context, target: ResponseTarget, err: ClientError) =>
  deliver(
    target,
    withStateAndIssuer(ctx, target, [
      ['error', err.error],
      ['error_description', err.error_description],
    ]),
  )

/**
 * An error before the redirect URI is trusted (RFC 6749 §4.1.2.1: the server MUST NOT redirect to it): to
 * `urls.error` when configured, else the built-in error page.
 */
export function untrustedError(ctx: OAuth2Context, err: OAuthError): Outcome {
  const page = ctx.config.urls.error
  if (!page) return { kind: 'error_page', error: err }
  const url = new URL(page)
  url.searchParams.set('error', err.error)
  url.searchParams.set('error_description', err.fullDescription)
  return { kind: 'redirect', location: url.href }
}
