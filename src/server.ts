import { randomBytes } from 'node:crypto'
import { buildApp, type Apps } from './app.ts'
import { createCore } from './context.ts'
import { workerEnv, workerIdOf, workerRole } from './cluster/role.ts'
import type { ThreadHost } from './cluster/threads.ts'
import { EXIT_FAILURE, EXIT_OK } from './util/exit_codes.ts'
import { loadConfig } from './config/load.ts'
import type { Config } from './config/schema.ts'
import { demoActive } from './dev/builtin_pages.ts'
import { demoBanner, setUpDemo } from './dev/demo_client.ts'
import { jsonError } from './http/errors.ts'
import { createLogger, type Logger } from './log.ts'
import { ServerError } from './protocol/errors.ts'
import { loadPlugins } from './plugins/loader.ts'
import { migrate, pendingMigrations } from './store/migrate.ts'
import { openStore, parseDsn, redactDsn } from './store/open.ts'
import type { SqlStore } from './store/sql/store.ts'
import type { SqliteOptions } from './store/sqlite/driver.ts'
import { VERSION } from './version.ts'

export type Api = 'public' | 'admin'

export interface ServeOptions {
  apis: readonly Api[]
  /** The parsed config file, if one was given. */
  file?: unknown
  /** The `--dev` flag. */
  dev: boolean
}

/** What the server uses of its process (the CLI's io provides it). */
export interface ServerIo extends ThreadHost {
  /** Writes to standard output as is. */
  out(text: string): void
  /** Writes to standard error as is. */
  err(text: string): void
  /** Calls `handler` with the signal's name on every SIGTERM and SIGINT. */
  onSignal(handler: (signal: string) => void): void
}

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
        // serve.workers: every worker thread binds the same ports and the kernel spreads connections.
        reusePort: config.serve.workers > 1,
        maxRequestBodySize: MAX_REQUEST_BODY,
        fetch: (request) => app.handle(request),
        error(err) {
          logger.error('unhandled error', { api, error: `${err.name}: ${err.message}` })
          return jsonError(ServerError, false)
        },
      })
    } catch (err) {
      for (const s of servers) void s.stop(true)
      throw new Error(`cannot listen on ${host || '*'}:${port} (${api} API): ${(err as Error).message}`, { cause: err })
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

/** Defaults, file, environment, flags; under --dev a missing system secret is generated for this process. */
function serveConfig(options: ServeOptions, io: ServerIo): { config: Config; generatedSecret: boolean } {
  const { file } = options
  const overrides: Record<string, unknown> = options.dev ? { dev: true } : {}
  const config = loadConfig({ file, env: io.env, overrides })
  if (!config.dev || config.secrets.system.length > 0) return { config, generatedSecret: false }
  const secret = randomBytes(32).toString('base64url')
  const withSecret = { ...overrides, 'secrets.system': [secret] }
  return { config: loadConfig({ file, env: io.env, overrides: withSecret }), generatedSecret: true }
}

/** Brings the schema up to date where that is safe (memory, --dev on SQLite); elsewhere refuses to start. */
async function checkSchema(store: SqlStore, config: Config, logger: Logger): Promise<boolean> {
  const { dialect, target } = parseDsn(config.dsn)
  if (target === ':memory:' || (config.dev && dialect === 'sqlite')) {
    const applied = await migrate(store.driver)
    if (applied.length) logger.info('applied migrations', { migrations: applied.map((m) => `${m.version}_${m.name}`) })
    return true
  }
  const pending = await pendingMigrations(store.driver)
  if (pending.length === 0) return true
  const names = pending.map((m) => `${m.version}_${m.name}`).join(', ')
  logger.error(
    `the database at ${redactDsn(config.dsn)} has ${pending.length} pending migration(s) (${names}); ` +
      'apply them with `gatehouse migrate sql -e --yes` (or `gatehouse migrate sql <DSN> --yes`) and start again',
  )
  return false
}

function waitForSignal(io: ServerIo, onSecond: () => void): Promise<string> {
  let count = 0
  return new Promise((resolve) =>
    io.onSignal((signal) => {
      count += 1
      if (count === 1) resolve(signal)
      else onSecond()
    }),
  )
}

/**
 * The server process: loads the configuration, opens and checks the store, serves the APIs and, on
 * SIGTERM or SIGINT, stops accepting, lets in-flight requests finish and closes the store. Returns the
 * exit code; configuration errors are thrown (ConfigError).
 */
export async function runServer(options: ServeOptions, io: ServerIo): Promise<number> {
  const { apis } = options
  const { config, generatedSecret } = serveConfig(options, io)
  const { level, format } = config.log
  const root = createLogger({ level, format, write: (line) => io.err(`${line}\n`) })
  const workerId = workerIdOf(io)
  const logger = workerId > 0 ? root.child({ worker: workerId }) : root
  let failed = false
  logger.info('starting Gatehouse', { version: VERSION, dsn: redactDsn(config.dsn) })
  if (config.dev) logger.warn('development mode (--dev) relaxes security checks; never use it in production')
  if (generatedSecret) {
    logger.warn('secrets.system is not set; using a random secret that lasts only as long as this process')
  }

  let store: SqlStore
  try {
    // Worker threads share the first thread's SQLite page cache for writes and leave checkpoints to it.
    const sqlite: SqliteOptions = config.serve.workers > 1 ? { sharedCache: true, checkpoints: workerId > 0 ? 'elsewhere' : 'background' } : {}
    store = await openStore(config.dsn, { sqlite })
  } catch (err) {
    logger.error((err as Error).message)
    return EXIT_FAILURE
  }
  try {
    if (!(await checkSchema(store, config, logger))) {
      await store.close()
      return EXIT_FAILURE
    }
    let server: RunningServer | undefined
    let stop!: (reason: string) => void
    const stopRequested = new Promise<string>((resolve) => (stop = resolve))
    void waitForSignal(io, () => {
      server?.abort()
      logger.warn('second signal: closed open connections')
    }).then(stop)

    const role = workerRole(config, io, logger, (reason) => {
      failed = true
      logger.error(`stopping: ${reason}`)
      stop('workers failing')
    })
    const core = createCore({ config, store, logger, peers: role.peers })
    role.attach?.(core, stop)
    const apps = buildApp({ core, plugins: await loadPlugins(core) })
    await core.keys.ensureDefaultSets()
    // --dev with the built-in login and consent pages: a demo client and an authorize URL to open.
    const demo = apis.includes('public') && demoActive(config) && !role.worker ? await setUpDemo(apps.ctx) : null
    server = listen(apps, config, logger, apis)
    for (const l of server.listeners) logger.info('listening', { api: l.api, url: l.url, port: l.port })
    // Under --dev a generated system secret must be the same in every worker, or none could open another's tokens.
    role.supervisor?.start({ ...workerEnv(server.listeners), ...(generatedSecret ? { SECRETS_SYSTEM: config.secrets.system[0]! } : {}) })
    if (demo) io.out(demoBanner(apps.ctx, demo))

    const signal = await stopRequested
    logger.info('shutting down: draining in-flight requests', { signal })
    await Promise.all([server.drain(), role.supervisor?.stop()])
    await store.close()
    logger.info('stopped')
    return failed ? EXIT_FAILURE : EXIT_OK
  } catch (err) {
    logger.error((err as Error).message)
    await store.close().catch(() => {})
    return EXIT_FAILURE
  }
}
