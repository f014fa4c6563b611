import { PostgresDriver, type PostgresOptions } from './postgres/driver.ts'
import { SqliteDriver } from './sqlite/driver.ts'
import type { SqlDriver } from './sql/driver.ts'
import { SqlStore } from './sql/store.ts'
import { StoreError } from './types.ts'

export interface ParsedDsn {
  dialect: 'sqlite' | 'postgres'
  /** File path or `:memory:` for SQLite; a postgres:// URL otherwise. */
  target: string
  cockroach: boolean
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
  if (/^postgres(ql)?:\/\//.test(dsn)) return { dialect: 'postgres', target: dsn, cockroach: false }
  if (dsn.startsWith('cockroach://')) {
    return { dialect: 'postgres', target: `postgresql://${dsn.slice('cockroach://'.length)}`, cockroach: true }
  }
  const scheme = dsn.includes('://') ? dsn.slice(0, dsn.indexOf('://')) : dsn
  throw new StoreError('unavailable', `dsn: unsupported scheme "${scheme}"`)
}

/** The DSN with any password replaced, for messages and logs. */
export function redactDsn(dsn: string): string {
  return dsn.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')
}

export function openDriver(dsn: string, options: PostgresOptions = {}): SqlDriver {
  const parsed = parseDsn(dsn)
  if (parsed.dialect === 'sqlite') {
    try {
      return new SqliteDriver(parsed.target)
    } catch (err) {
      throw new StoreError('unavailable', `cannot open SQLite database ${parsed.target}: ${(err as Error).message}`)
    }
  }
  return new PostgresDriver(parsed.target, { ...options, cockroach: parsed.cockroach })
}

/** Opens the store and checks that the database answers. */
export async function openStore(dsn: string, options: PostgresOptions = {}): Promise<SqlStore> {
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
