import { Database, type Statement } from 'bun:sqlite'
import type { SqlDriver } from '../sql/driver.ts'

const PLACEHOLDER = /\$(\d+)/g

/**
 * bun:sqlite behind the async SqlDriver interface. The connection is shared, so a transaction holds a
 * queue: statements from outside wait until it commits instead of landing inside it.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const
  readonly #db: Database
  readonly #texts = new Map<string, string>()
  #queue: Promise<unknown> = Promise.resolve()
  #pending = 0

  constructor(path: string) {
    this.#db = new Database(path, { create: true, strict: true })
    this.#db.run('PRAGMA busy_timeout = 5000')
    if (path !== ':memory:') this.#db.run('PRAGMA journal_mode = WAL')
    this.#db.run('PRAGMA synchronous = NORMAL')
    this.#db.run('PRAGMA foreign_keys = ON')
  }

  #stmt(sql: string): Statement {
    let text = this.#texts.get(sql)
    if (text === undefined) {
      text = sql.replace(PLACEHOLDER, '?$1')
      this.#texts.set(sql, text)
    }
    return this.#db.query(text)
  }

  allNow<T>(sql: string, params: readonly unknown[] = []): T[] {
    return this.#stmt(sql).all(...(params as never[])) as T[]
  }

  runNow(sql: string, params: readonly unknown[] = []): number {
    return this.#stmt(sql).run(...(params as never[])).changes
  }

  execNow(script: string) {
    this.#db.run(script)
  }

  async all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    if (this.#pending) await this.#idle()
    return this.allNow<T>(sql, params)
  }

  async run(sql: string, params?: readonly unknown[]): Promise<number> {
    if (this.#pending) await this.#idle()
    return this.runNow(sql, params)
  }

  async exec(script: string): Promise<void> {
    if (this.#pending) await this.#idle()
    this.execNow(script)
  }

  async #idle() {
    while (this.#pending) await this.#queue.catch(() => {})
  }

  tx<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
    const inner = new SqliteTxView(this)
    const run = async () => {
      this.#db.run('BEGIN IMMEDIATE')
      try {
        const result = await fn(inner)
        this.#db.run('COMMIT')
        return result
      } catch (err) {
        this.#db.run('ROLLBACK')
        throw err
      } finally {
        this.#pending--
      }
    }
    this.#pending++
    const result = this.#queue.then(run, run)
    this.#queue = result.catch(() => {})
    return result
  }

  async close() {
    if (this.#pending) await this.#idle()
    this.#db.close()
  }
}

/** The driver as seen inside a transaction: statements run at once, nested tx() joins the open one. */
class SqliteTxView implements SqlDriver {
  readonly dialect = 'sqlite' as const
  readonly base: SqliteDriver
  constructor(base: SqliteDriver) {
    this.base = base
  }
  async all<T>(sql: string, params?: readonly unknown[]) {
    return this.base.allNow<T>(sql, params)
  }
  async run(sql: string, params?: readonly unknown[]) {
    return this.base.runNow(sql, params)
  }
  async exec(script: string) {
    this.base.execNow(script)
  }
  tx<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
    return fn(this)
  }
  async close() {}
}
