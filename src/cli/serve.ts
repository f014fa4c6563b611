import { randomBytes } from 'node:crypto'
import { buildApp } from '../app.ts'
import { loadConfig } from '../config/load.ts'
import type { Config } from '../config/schema.ts'
import { createLogger, type Logger } from '../log.ts'
import { listen, type Api, type RunningServer } from '../server.ts'
import { migrate, pendingMigrations } from '../store/migrate.ts'
import { openStore, parseDsn, redactDsn } from '../store/open.ts'
import type { SqlStore } from '../store/sql/store.ts'
import { VERSION } from '../version.ts'
import { UsageError, type Args, type Command } from './args.ts'
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './io.ts'
import { CONFIG_FLAG, readConfigFile } from './source.ts'

const TARGETS: Record<string, Api[]> = { all: ['public', 'admin'], public: ['public'], admin: ['admin'] }

/** Defaults, file, environment, flags; under --dev a missing system secret is generated for this process. */
async function serveConfig(args: Args, io: CliIo): Promise<{ config: Config; generatedSecret: boolean }> {
  const path = args.string('config')
  const file = path === undefined ? undefined : await readConfigFile(path)
  const overrides: Record<string, unknown> = args.boolean('dev') ? { dev: true } : {}
  const config = loadConfig({ file, env: io.env, overrides })
  if (!config.dev || config.secrets.system.length > 0) return { config, generatedSecret: false }
  const secret = randomBytes(32).toString('base64url')
  return { config: loadConfig({ file, env: io.env, overrides: { ...overrides, 'secrets.system': [secret] } }), generatedSecret: true }
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

function waitForSignal(io: CliIo, onSecond: () => void): Promise<string> {
  let count = 0
  return new Promise((resolve) =>
    io.onSignal((signal) => {
      count += 1
      if (count === 1) resolve(signal)
      else onSecond()
    }),
  )
}

async function serve(args: Args, io: CliIo): Promise<number> {
  const apis = TARGETS[args.positionals[0]!]
  if (!apis) throw new UsageError(`serve: expected all, public or admin, got "${args.positionals[0]}"`)
  const { config, generatedSecret } = await serveConfig(args, io)
  const logger = createLogger({ level: config.log.level, format: config.log.format, write: (line) => io.err(`${line}\n`) })
  logger.info('starting Gatehouse', { version: VERSION, dsn: redactDsn(config.dsn) })
  if (config.dev) logger.warn('development mode (--dev) relaxes security checks; never use it in production')
  if (generatedSecret) {
    logger.warn('secrets.system is not set; using a random secret that lasts only as long as this process')
  }

  let store: SqlStore
  try {
    store = await openStore(config.dsn)
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
    const stopRequested = waitForSignal(io, () => {
      logger.warn('second signal: closing open connections')
      server?.abort()
    })
    const apps = buildApp({ config, store, logger })
    await apps.ctx.keys.ensureDefaultSets()
    server = listen(apps, config, logger, apis)
    for (const l of server.listeners) logger.info('listening', { api: l.api, url: l.url, port: l.port })

    const signal = await stopRequested
    logger.info('shutting down: draining in-flight requests', { signal })
    await server.drain()
    await store.close()
    logger.info('stopped')
    return EXIT_OK
  } catch (err) {
    logger.error((err as Error).message)
    await store.close().catch(() => {})
    return EXIT_FAILURE
  }
}

export const serveCommand: Command = {
  path: ['serve'],
  args: 'all|public|admin',
  positionals: { min: 1, max: 1 },
  summary: 'Run the public (4444) and admin (4445) APIs, or one of them.',
  flags: {
    dev: {
      type: 'boolean',
      description: 'Development mode: http issuer allowed, generated secret, SQLite migrated on start.',
    },
    ...CONFIG_FLAG,
  },
  run: serve,
}
