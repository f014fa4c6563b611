import type { Apps } from './app.ts'
import type { Config } from './config/schema.ts'
import { jsonError } from './http/errors.ts'
import type { Logger } from './log.ts'
import { ServerError } from './oauth2/errors.ts'

export type Api = 'public' | 'admin'

/** Bodies larger than this are cut off by the listener; the app's own limit (1 MiB) answers first. */
const MAX_REQUEST_BODY = 4 << 20

export interface Listener {
  api: Api
  /** The address actually bound, with the real port when 0 was configured. */
  url: string
  port: number
}

export interface RunningServer {
  readonly listeners: Listener[]
  /** Stops accepting connections; resolves once every in-flight request has been answered. */
  drain(): Promise<void>
  /** Closes every connection at once, answered or not. */
  abort(): void
}

export class ListenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ListenError'
  }
}

/** Serves the given APIs with Bun.serve, one listener each, as configured under `serve.*`. */
export function listen(apps: Apps, config: Config, logger: Logger, apis: readonly Api[]): RunningServer {
  const servers: ReturnType<typeof Bun.serve>[] = []
  const listeners: Listener[] = []
  for (const api of apis) {
    const { host, port } = config.serve[api]
    const app = api === 'public' ? apps.publicApp : apps.adminApp
    let server: ReturnType<typeof Bun.serve>
    try {
      server = Bun.serve({
        port,
        ...(host ? { hostname: host } : {}),
        development: false,
        maxRequestBodySize: MAX_REQUEST_BODY,
        fetch: (request) => app.handle(request),
        error(err) {
          logger.error('unhandled error', { api, error: `${err.name}: ${err.message}` })
          return jsonError(ServerError, false)
        },
      })
    } catch (err) {
      for (const s of servers) void s.stop(true)
      throw new ListenError(`cannot listen on ${host || '*'}:${port} (${api} API): ${(err as Error).message}`, { cause: err })
    }
    servers.push(server)
    listeners.push({ api, url: server.url.href.replace(/\/$/, ''), port: server.port ?? port })
  }
  return {
    listeners,
    async drain() {
      await Promise.all(servers.map((s) => s.stop(false)))
    },
    abort() {
      for (const s of servers) void s.stop(true)
    },
  }
}
