import type { Dialect } from '../types.ts'

/**
 * The little a store needs from a SQL database. Statements use `$1…$n` placeholders; booleans are written
 * as TRUE/FALSE literals so that the same text runs on SQLite and PostgreSQL.
 */
export interface SqlDriver {
  readonly dialect: Dialect
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>
  /** Runs a statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>
  /** Runs several statements separated by semicolons (migrations). */
  exec(script: string): Promise<void>
  tx<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Whether an error is a unique-constraint violation on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string }
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
}
