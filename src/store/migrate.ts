import type { SqlDriver } from './sql/driver.ts'
import { MIGRATIONS, type Migration } from './migrations.ts'
import { StoreError } from './types.ts'
import type { PostgresDriver } from './postgres/driver.ts'

const TABLE = 'schema_migrations'
/** Arbitrary constant naming Gatehouse's migration lock among PostgreSQL advisory locks. */
const ADVISORY_LOCK = 7_164_011_902

export interface MigrationStatus {
  version: string
  name: string
  applied_at: number | null
}

async function tableExists(db: SqlDriver): Promise<boolean> {
  const rows =
    db.dialect === 'sqlite'
      ? await db.all(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1`, [TABLE])
      : await db.all(`SELECT to_regclass($1) AS name`, [TABLE])
  return rows.length > 0 && (rows[0] as { name: unknown }).name != null
}

async function applied(db: SqlDriver): Promise<Map<string, number>> {
  if (!(await tableExists(db))) return new Map()
  const rows = await db.all<{ version: string; applied_at: number }>(`SELECT version, applied_at FROM ${TABLE}`)
  return new Map(rows.map((r) => [r.version, Number(r.applied_at)]))
}

export async function migrationStatus(db: SqlDriver): Promise<MigrationStatus[]> {
  const done = await applied(db)
  const known = MIGRATIONS[db.dialect]
  const unknown = [...done.keys()].filter((v) => !known.some((m) => m.version === v))
  if (unknown.length) {
    throw new StoreError('migration', `the database has migrations this build does not know (${unknown.join(', ')}); upgrade Gatehouse`)
  }
  return known.map((m) => ({ version: m.version, name: m.name, applied_at: done.get(m.version) ?? null }))
}

export async function pendingMigrations(db: SqlDriver): Promise<Migration[]> {
  const status = await migrationStatus(db)
  return MIGRATIONS[db.dialect].filter((m) => status.find((s) => s.version === m.version)?.applied_at === null)
}

/**
 * Applies every pending migration in one transaction: either all of them land, with their records,
 * or none does. On PostgreSQL an advisory lock serialises concurrent migrators; the second one finds
 * nothing left to do.
 */
export async function migrate(db: SqlDriver, now = Date.now()): Promise<Migration[]> {
  return db.tx(async (t) => {
    if (t.dialect === 'postgres' && !(db as PostgresDriver).cockroach) {
      await t.all('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK])
    }
    await t.exec(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
    )
    const todo = await pendingMigrations(t)
    for (const m of todo) {
      try {
        await t.exec(m.sql)
      } catch (err) {
        throw new StoreError(
          'migration',
          `migration ${m.version}_${m.name} failed and nothing was applied: ${(err as Error).message}`,
          { cause: err },
        )
      }
      await t.run(`INSERT INTO ${TABLE} (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, now])
    }
    return todo
  })
}
