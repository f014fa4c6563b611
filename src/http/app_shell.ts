import { Elysia } from 'elysia'
import type { AppContext } from '../context.ts'
import { corsLayer } from './cors.ts'
import { jsonError, toOAuthError } from './errors.ts'

/** What tests and the server call: a fetch-style handler. */
export interface HttpApp {
  handle(request: Request): Promise<Response>
}

const requestIds = new WeakMap<Request, string>()

/** The request id of a request being handled (from `X-Request-Id` or generated). */
export const requestIdOf = (request: Request) => requestIds.get(request) ?? 'unknown'

/** A root Elysia instance with Gatehouse's one error renderer installed. */
export function rootApp(ctx: AppContext, name: string) {
  const exposeDebug = ctx.config.oauth2.expose_internal_errors
  return new Elysia({ name }).onError({ as: 'global' }, ({ code, error, request }) =>
    jsonError(toOAuthError(error, code, { exposeDebug, logger: ctx.logger, requestId: requestIdOf(request) }), exposeDebug),
  )
}

export interface ShellOptions {
  /** Hydra's admin rule: a path that does not start with /admin gets the prefix. */
  adminPrefix?: boolean
  disableHealthLog?: boolean
}

/** Wraps an Elysia app with request ids, access logs, CORS and (for admin) the /admin prefix rewrite. */
export function shell(ctx: AppContext, name: 'public' | 'admin', app: { handle(r: Request): Promise<Response> }, opts: ShellOptions = {}): HttpApp {
  const log = ctx.logger.child({ api: name })
  const cors = corsLayer(ctx, name, log)
  return {
    async handle(request) {
      const started = performance.now()
      const url = new URL(request.url)
      // Trailing slashes are trimmed as Hydra does.
      let path = url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.replace(/\/+$/, '') : url.pathname
      if (opts.adminPrefix && path !== '/admin' && !path.startsWith('/admin/')) path = `/admin${path}`
      // Elysia locates the path by searching from index 11, so a very short host would misroute.
      const shortHost = request.url.indexOf('/', request.url.indexOf('//') + 2) < 11
      if (path !== url.pathname || shortHost) {
        url.pathname = path
        if (shortHost) url.host = 'localhost'
        request = new Request(url.href, request)
      }
      const id = request.headers.get('x-request-id')?.slice(0, 128) || crypto.randomUUID()
      requestIds.set(request, id)
      const response = await cors(request, path, () => app.handle(request))
      response.headers.set('x-request-id', id)
      if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'no-cache')
      if (!(opts.disableHealthLog && path.includes('/health/'))) {
        // Only the path is logged: queries carry codes, challenges and tokens.
        log.info('request', {
          request_id: id,
          method: request.method,
          path,
          status: response.status,
          duration_ms: Math.round((performance.now() - started) * 100) / 100,
        })
      }
      return response
    },
  }
}
