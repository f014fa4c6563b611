import { PostgresDriver, type PostgresOptions } from './postgres/driver.ts'
import { SqliteDriver, type SqliteOptions } from './sqlite/driver.ts'
import type { SqlDriver } from './sql/driver.ts'
import { SqlStore } from './sql/store.ts'
import { StoreError } from './types.ts'

export interface ParsedDsn {
  dialect: 'sqlite' | 'postgres'
  /** File path or `:memory:` for SQLite; a postgres:// URL otherwise. */
  target: string
  cockroach: boolean
  /** Pool size from Hydra's `max_conns` DSN parameter. */
  max?: number
}

/** Hydra's pool parameters; PostgreSQL would reject them as unknown run-time settings. */
const POOL_PARAMS = ['max_conns', 'max_idle_conns', 'max_conn_lifetime', 'max_idle_conn_time']

function postgresTarget(url: string, cockroach: boolean): ParsedDsn {
  const q = url.indexOf('?')
  if (q < 0) return { dialect: 'postgres', target: url, cockroach }
  const params = new URLSearchParams(url.slice(q + 1))
  const maxConns = Number(params.get('max_conns'))
  for (const p of POOL_PARAMS) params.delete(p)
  const query = params.toString()
  return {
    dialect: 'postgres',
    target: url.slice(0, q) + (query ? `?${query}` : ''),
    cockroach,
    ...(Number.isInteger(maxConns) && maxConns > 0 ? { max: maxConns } : {}),
  }
}

/** Parses a Hydra-style DSN: `memory`, `sqlite://path`, `postgres://`, `postgresql://`, `cockroach://`. */
export function parseDsn(dsn: string): ParsedDsn {
  if (dsn === 'memory' || dsn === 'sqlite://:memory:' || dsn.startsWith('sqlite://file::memory:')) {
    return { dialect: 'sqlite', target: ':memory:', cockroach: false }
  }
  if (dsn.startsWith('sqlite://')) {
    const path = dsn.slice('sqlite://'.length).split('?')[0]!
    if (!path) throw new StoreError('unavailable', 'dsn: sqlite:// needs a file path, e.g. sqlite:///var/lib/gatehouse/db.sqlite')
    return { dialect: 'sqlite', target: path, cockroach: false }
  }
  if (/^postgres(ql)?:\/\//.test(dsn)) return postgresTarget(dsn, false)
  if (dsn.startsWith('cockroach://')) return postgresTarget(`postgresql://${dsn.slice('cockroach://'.length)}`, true)
  const scheme = dsn.includes('://') ? dsn.slice(0, dsn.indexOf('://')) : dsn
  throw new StoreError('unavailable', `dsn: unsupported scheme "${scheme}"`)
}

/** The DSN with any password replaced, for messages and logs. */
export function redactDsn(dsn: string): string {
  const start = dsn.indexOf('://')
  if (start < 0) return dsn
  const q = dsn.indexOf('?', start)
  const end = q < 0 ? dsn.length : q
  let head = dsn.slice(0, end)
  // The userinfo ends at the last '@' before the query, so an unescaped '@' in a password stays hidden.
  const at = head.lastIndexOf('@')
  const colon = head.indexOf(':', start + 3)
  if (at > start && colon > 0 && colon < at) head = `${head.slice(0, colon + 1)}***${head.slice(at)}`
  const query = dsn.slice(end).replace(/([?&](?:password|sslpassword)=)[^&]*/gi, '$1***')
  return head + query
}

export interface OpenOptions extends PostgresOptions {
  /** How a SQLite store's connection is opened; PostgreSQL ignores it. */
  sqlite?: SqliteOptions
}

export function openDriver(dsn: string, options: OpenOptions = {}): SqlDriver {
  const { sqlite, ...postgresOptions } = options
  const parsed = parseDsn(dsn)
  if (parsed.dialect === 'sqlite') {
    try {
      return new SqliteDriver(parsed.target, sqlite)
    } catch (err) {
      throw new StoreError('unavailable', `cannot open SQLite database ${parsed.target}: ${(err as Error).message}`)
    }
  }
  const max = postgresOptions.max ?? parsed.max
  return new PostgresDriver(parsed.target, { ...postgresOptions, ...(max ? { max } : {}), cockroach: parsed.cockroach })
}

/** Opens the store and checks that the database answers. */
export async function openStore(dsn: string, options: OpenOptions = {}): Promise<SqlStore> {
  const store = new SqlStore(openDriver(dsn, options))
  try {
    await store.ping()
  } catch (err) {
    await store.close().catch(() => {})
    throw new StoreError('unavailable', `cannot reach the database at ${redactDsn(dsn)}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  return store
}
