import postgres, { type Sql, type TransactionSql } from 'postgres'
import type { SqlDriver } from '../sql/driver.ts'

export interface PostgresOptions {
  /** Pool size. */
  max?: number
  /** Schema to use (search_path); tests use one schema per suite. */
  schema?: string
  /** Seconds before an idle pooled connection is closed. */
  idleTimeout?: number
  /** CockroachDB speaks the wire protocol but lacks advisory locks and LISTEN. */
  cockroach?: boolean
}

type Client = Sql | TransactionSql

const int8 = { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) }

export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const
  readonly cockroach: boolean
  readonly #sql: Client
  readonly #root: boolean

  constructor(url: string | Client, options: PostgresOptions = {}) {
    this.cockroach = options.cockroach ?? false
    if (typeof url === 'string') {
      this.#sql = postgres(url, {
        max: options.max ?? 10,
        prepare: true,
        onnotice: () => {},
        connect_timeout: 10,
        idle_timeout: options.idleTimeout ?? 60,
        types: { int8 },
        connection: { application_name: 'gatehouse', ...(options.schema ? { search_path: options.schema } : {}) },
      })
      this.#root = true
    } else {
      this.#sql = url
      this.#root = false
    }
  }

  async all<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.#sql.unsafe(text, params as never[], { prepare: true })) as unknown as T[]
  }

  async run(text: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.#sql.unsafe(text, params as never[], { prepare: true })).count
  }

  async exec(script: string): Promise<void> {
    await this.#sql.unsafe(script)
  }

  tx<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
    if (!this.#root) return fn(this)
    return (this.#sql as Sql).begin((t) => fn(new PostgresDriver(t, { cockroach: this.cockroach }))) as Promise<T>
  }

  async close() {
    if (this.#root) await (this.#sql as Sql).end({ timeout: 5 })
  }
}
