export interface WriterOptions {
  /** How long the writer waits for another connection's write lock, ms. */
  busyTimeoutMs?: number
}

/** One statement of a batch: SQLite text (`?1…?n` placeholders) and its parameters. */
export type Statement = readonly [sql: string, params: readonly unknown[]]

// The worker's code, inlined so the compiled binary carries it without another entry point. Its own
// connection runs each batch as one transaction; waiting for the write lock blocks only this thread.
const SOURCE = `
import { Database } from 'bun:sqlite'
let db
self.onmessage = ({ data }) => {
  if (data.open) {
    db = new Database(data.open.path, { strict: true })
    db.run('PRAGMA busy_timeout = ' + data.open.busyTimeoutMs)
    db.run('PRAGMA synchronous = NORMAL')
    db.run('PRAGMA foreign_keys = ON')
    db.run('PRAGMA wal_autocheckpoint = 0')
    return
  }
  if (data.stop) {
    try { db?.close() } catch {}
    postMessage({ stopped: true })
    return
  }
  try {
    db.run('BEGIN IMMEDIATE')
    try {
      for (const [sql, params] of data.statements) db.query(sql).run(...params)
      db.run('COMMIT')
    } catch (err) {
      if (db.inTransaction) db.run('ROLLBACK')
      throw err
    }
    postMessage({ id: data.id })
  } catch (err) {
    postMessage({ id: data.id, error: { message: String(err?.message ?? err), code: String(err?.code ?? '') } })
  }
}
`

let sourceUrl: string | undefined

/**
 * Runs batches of writes on a worker thread with its own connection to a WAL-mode database, each batch one
 * transaction. The inserts, the commit's WAL writes and any wait for the write lock then cost the serving
 * thread only the hand-over; a batch's promise settles once it is committed (or rolled back, with the
 * error as SQLite reported it), so what the caller reads afterwards on its own connection includes it.
 */
export class BackgroundWriter {
  readonly #worker: Worker
  readonly #pending = new Map<number, { resolve(): void; reject(err: unknown): void }>()
  readonly #drained: (() => void)[] = []
  #nextId = 0
  #stopped: Promise<void> | undefined

  constructor(path: string, options: WriterOptions = {}) {
    sourceUrl ??= URL.createObjectURL(new Blob([SOURCE], { type: 'application/javascript' }))
    this.#worker = new Worker(sourceUrl)
    this.#worker.unref()
    this.#worker.onmessage = ({ data }: MessageEvent) => {
      if (data.stopped) return
      const waiter = this.#pending.get(data.id)
      if (!waiter) return
      this.#pending.delete(data.id)
      if (this.#pending.size === 0) {
        this.#worker.unref()
        for (const done of this.#drained.splice(0)) done()
      }
      if (data.error) waiter.reject(Object.assign(new Error(data.error.message), { code: data.error.code }))
      else waiter.resolve()
    }
    this.#worker.postMessage({ open: { path, busyTimeoutMs: options.busyTimeoutMs ?? 5000 } })
  }

  /** Runs the statements as one transaction on the writer's connection. */
  write(statements: readonly Statement[]): Promise<void> {
    if (this.#stopped) return Promise.reject(new Error('the SQLite writer is closed'))
    return new Promise<void>((resolve, reject) => {
      const id = this.#nextId++
      // A batch in flight keeps the process alive until it is committed.
      if (this.#pending.size === 0) this.#worker.ref()
      this.#pending.set(id, { resolve, reject })
      this.#worker.postMessage({ id, statements })
    })
  }

  /** Waits for the batches in flight, then closes the writer's connection. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      if (this.#pending.size) await new Promise<void>((resolve) => this.#drained.push(resolve))
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3000)
        this.#worker.onmessage = ({ data }: MessageEvent) => {
          if (data.stopped) {
            clearTimeout(timer)
            resolve()
          }
        }
        this.#worker.postMessage({ stop: true })
      })
      this.#worker.terminate()
    })()
    return this.#stopped
  }
}
