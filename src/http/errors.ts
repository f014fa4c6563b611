import { OAuthError, InvalidRequest, ServerError, NotFound } from '../protocol/errors.ts'
import type { Logger } from '../log.ts'

export interface RenderOptions {
  exposeDebug: boolean
  logger: Logger
  requestId: string
}

/** The JSON body of an error: RFC 6749 §5.2 `error` and `error_description`, debug only when exposed. */
export function errorBody(err: OAuthError, exposeDebug: boolean) {
  const body: Record<string, string> = { error: err.error, error_description: err.fullDescription }
  if (exposeDebug && err.debug) body.error_debug = err.debug
  return body
}

export function jsonError(err: OAuthError, exposeDebug: boolean): Response {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    ...err.headers,
  }
  return new Response(JSON.stringify(errorBody(err, exposeDebug)), { status: err.status, headers })
}

/**
 * Turns anything thrown into a response. OAuthErrors render as they are; anything else is logged with
 * the request id and becomes a fixed 500 server_error, so no stack trace or SQL reaches the client.
 */
export function toOAuthError(error: unknown, code: string | number, opts: RenderOptions): OAuthError {
  if (error instanceof OAuthError) return error
  switch (code) {
    case 'PARSE':
      return InvalidRequest.with({ hint: 'The request body could not be parsed.' })
    case 'VALIDATION':
      return InvalidRequest.with({ hint: 'The request did not match the expected shape.' })
    case 'NOT_FOUND':
      return NotFound
    case 'INVALID_COOKIE_SIGNATURE':
      return InvalidRequest.with({ hint: 'A cookie could not be verified.' })
  }
  opts.logger.error('unexpected error', {
    request_id: opts.requestId,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  })
  return ServerError.with({ hint: `Request id: ${opts.requestId}.` })
}
