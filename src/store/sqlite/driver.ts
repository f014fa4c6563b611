import { Database, type Statement } from 'bun:sqlite'
import type { SqlDriver } from '../sql/driver.ts'
import { Checkpointer } from './checkpointer.ts'

const PLACEHOLDER = /\$(\d+)/g

export interface SqliteOptions {
  /** How long to keep retrying when another connection holds the write lock, in ms. Default 5000. */
  busyTimeoutMs?: number
  /**
   * Who checkpoints the WAL: a thread of this driver's own ('background', the default), the committing
   * connection as SQLite does by itself ('inline'), or another connection of the process ('elsewhere').
   */
  checkpoints?: 'background' | 'inline' | 'elsewhere'
  /**
   * For several threads of one process on the same file (`serve.workers`): writes go through a connection
   * in SQLite's shared-cache mode, so every thread's writer uses one page cache instead of finding its own
   * stale after each commit of another. Reads outside transactions go through a private connection: in the
   * shared cache a reader takes table locks that would refuse another thread's write in mid-transaction.
   */
  sharedCache?: boolean
}

const OPEN_READWRITE = 0x2
const OPEN_CREATE = 0x4
const OPEN_SHAREDCACHE = 0x20000

/** SQLITE_BUSY: another connection holds the lock; SQLITE_LOCKED: another connection of the shared cache does. */
const codeOf = (err: unknown) => String((err as { code?: unknown })?.code ?? '')
const isBusy = (err: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(codeOf(err))
const isLocked = (err: unknown) => codeOf(err).startsWith('SQLITE_LOCKED')
const WRITE = /^\s*(INSERT|UPDATE|DELETE)\b/i

interface GroupedWrite {
  rows: boolean
  sql: string
  params: readonly unknown[] | undefined
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * bun:sqlite behind the async SqlDriver interface. The connection is shared, so a transaction holds a
 * queue: statements from outside wait until it commits instead of landing inside it.
 *
 * SQLite's own busy handler would block the thread (and with it whoever holds the lock, when that is
 * another connection in this process), so lock contention is retried here, asynchronously, with backoff.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const
  readonly #db: Database
  /** Where reads outside a transaction go: the same connection unless `sharedCache`. */
  readonly #reader: Database
  readonly #texts = new Map<string, string>()
  readonly #busyTimeoutMs: number
  #queue: Promise<unknown> = Promise.resolve()
  #pending = 0
  #writes: GroupedWrite[] = []
  #checkpointer: Checkpointer | undefined

  constructor(path: string, options: SqliteOptions = {}) {
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000
    const shared = options.sharedCache === true && path !== ':memory:'
    this.#db = shared ? new Database(path, OPEN_READWRITE | OPEN_CREATE | OPEN_SHAREDCACHE) : new Database(path, { create: true, strict: true })
    this.#db.run(`PRAGMA busy_timeout = ${this.#busyTimeoutMs}`)
    let wal = false
    if (path !== ':memory:') {
      const mode = this.#db.query('PRAGMA journal_mode = WAL').get() as { journal_mode?: string } | null
      wal = mode?.journal_mode === 'wal'
    }
    this.#db.run('PRAGMA synchronous = NORMAL')
    this.#db.run('PRAGMA foreign_keys = ON')
    this.#db.run('PRAGMA busy_timeout = 0')
    this.#reader = shared ? new Database(path, { strict: true }) : this.#db
    if (shared) this.#reader.run('PRAGMA busy_timeout = 0')
    const checkpoints = options.checkpoints ?? 'background'
    if (wal && checkpoints !== 'inline') {
      this.#db.run('PRAGMA wal_autocheckpoint = 0')
      if (shared) this.#reader.run('PRAGMA wal_autocheckpoint = 0')
    }
    // The checkpoint's fsync would otherwise stall the event loop in whichever commit crossed the threshold.
    if (wal && checkpoints === 'background') this.#checkpointer = new Checkpointer(path, { busyTimeoutMs: this.#busyTimeoutMs })
  }

  #stmt(sql: string, db = this.#db): Statement {
    let text = this.#texts.get(sql)
    if (text === undefined) {
      text = sql.replace(PLACEHOLDER, '?$1')
      this.#texts.set(sql, text)
    }
    return db.query(text)
  }

  #allOn<T>(db: Database, sql: string, params: readonly unknown[]): T[] {
    return this.#stmt(sql, db).all(...(params as never[])) as T[]
  }

  allNow<T>(sql: string, params: readonly unknown[] = []): T[] {
    return this.#allOn<T>(this.#db, sql, params)
  }

  runNow(sql: string, params: readonly unknown[] = []): number {
    return this.#stmt(sql).run(...(params as never[])).changes
  }

  execNow(script: string) {
    this.#db.run(script)
  }

  /**
   * Runs `op`, retrying with backoff while another connection holds the write lock. With `outside`, it
   * first waits for this connection's own transactions so that it cannot land inside one.
   */
  async #retry<T>(op: () => T, outside: boolean): Promise<T> {
    let deadline = 0
    for (let attempt = 0, sleeps = 0; ; attempt++) {
      while (outside && this.#pending) await this.#idle()
      let inProcess = false
      try {
        return op()
      } catch (err) {
        if (!isBusy(err)) throw err
        deadline ||= performance.now() + this.#busyTimeoutMs
        if (performance.now() >= deadline) throw err
        inProcess = isLocked(err)
      }
      // Another thread's transaction on the shared cache is running now and short: try again after this turn.
      if (inProcess && attempt < 1000) await new Promise((resolve) => setImmediate(resolve))
      else await Bun.sleep(Math.min(2 ** sleeps++, 8) * (0.5 + Math.random()))
    }
  }

  all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (WRITE.test(sql)) return this.#grouped(true, sql, params) as Promise<T[]>
    return this.#retry(() => this.#allOn<T>(this.#reader, sql, params), true)
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    if (WRITE.test(sql)) return this.#grouped(false, sql, params) as Promise<number>
    return this.#retry(() => this.runNow(sql, params), true)
  }

  /**
   * A single-statement write from outside a transaction: the writes of one turn of the event loop share one
   * transaction (one commit, one round of lock calls, each page written once), each keeping its own outcome.
   */
  #grouped(rows: boolean, sql: string, params: readonly unknown[] | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#writes.push({ rows, sql, params, resolve, reject }) === 1) setImmediate(() => this.#flushWrites())
    })
  }

  #execute(w: GroupedWrite): unknown {
    return w.rows ? this.allNow(w.sql, w.params) : this.runNow(w.sql, w.params)
  }

  #flushWrites(): void {
    const batch = this.#writes
    this.#writes = []
    if (batch.length === 1) {
      const [w] = batch as [GroupedWrite]
      this.#retry(() => this.#execute(w), true).then(w.resolve, w.reject)
      return
    }
    const settles: (() => void)[] = []
    this.tx(async () => {
      for (const w of batch) {
        try {
          const value = this.#execute(w)
          settles.push(() => w.resolve(value))
        } catch (error) {
          // A failed statement is undone alone (a constraint, say) unless SQLite rolled back the transaction.
          if (!this.#db.inTransaction) throw error
          settles.push(() => w.reject(error))
        }
      }
    }).then(
      () => settles.forEach((settle) => settle()),
      (error) => batch.forEach((w) => w.reject(error)),
    )
  }

  /** Runs the script as one transaction, as PostgreSQL runs a multi-statement query. */
  exec(script: string): Promise<void> {
    return this.tx(async (t) => t.exec(script))
  }

  async #idle() {
    while (this.#pending) await this.#queue.catch(() => {})
  }

  tx<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
    const inner = new SqliteTxView(this)
    const run = async () => {
      try {
        await this.#retry(() => this.#db.run('BEGIN IMMEDIATE'), false)
        try {
          const result = await fn(inner)
          // Without WAL (e.g. a network file system), COMMIT waits for readers to finish.
          await this.#retry(() => this.#db.run('COMMIT'), false)
          return result
        } catch (err) {
          if (this.#db.inTransaction) this.#db.run('ROLLBACK')
          throw err
        }
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
    while (this.#writes.length || this.#pending) {
      await new Promise((resolve) => setImmediate(resolve))
      await this.#idle()
    }
    await this.#checkpointer?.stop()
    if (this.#reader !== this.#db) this.#reader.close()
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
