import { afterEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate, migrationStatus, pendingMigrations } from '../../src/store/migrate.ts'
import { MIGRATIONS } from '../../src/store/migrations.ts'
import { PostgresDriver } from '../../src/store/postgres/driver.ts'
import type { SqlDriver } from '../../src/store/sql/driver.ts'
import { SqliteDriver } from '../../src/store/sqlite/driver.ts'
import type { Dialect } from '../../src/store/types.ts'
import { TEST_DATABASE_URL, freshPostgresSchema } from '../_harness.ts'
import { expectStoreError } from './_contract_rows.ts'

const T1 = Date.UTC(2026, 0, 1)
const T2 = T1 + 60_000

interface Target {
  dialect: Dialect
  /** `count` drivers on one fresh, empty, unmigrated database; closed after the test. */
  fresh(count: number): Promise<SqlDriver[]>
  /** Names of the tables in that database. */
  tables(db: SqlDriver): Promise<string[]>
}

const open: (() => Promise<void>)[] = []
afterEach(async () => {
  while (open.length) await open.pop()!()
})

const sqlite: Target = {
  dialect: 'sqlite',
  async fresh(count) {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-migrate-'))
    const drivers = Array.from({ length: count }, () => new SqliteDriver(join(dir, 'db.sqlite')))
    open.push(async () => {
      await Promise.all(drivers.map((d) => d.close()))
      rmSync(dir, { recursive: true, force: true })
    })
    return drivers
  },
  async tables(db) {
    const rows = await db.all<{ name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    )
    return rows.map((r) => r.name)
  },
}

const postgres: Target = {
  dialect: 'postgres',
  async fresh(count) {
    const { schema, drop } = await freshPostgresSchema()
    const drivers = Array.from({ length: count }, () => new PostgresDriver(TEST_DATABASE_URL!, { schema, max: 2 }))
    open.push(async () => {
      await Promise.all(drivers.map((d) => d.close()))
      await drop()
    })
    return drivers
  },
  async tables(db) {
    const rows = await db.all<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1',
    )
    return rows.map((r) => r.name)
  },
}

const migrationCount = (db: SqlDriver) =>
  db.all<{ version: string; n: number }>('SELECT version, COUNT(*) AS n FROM schema_migrations GROUP BY version ORDER BY version')

for (const target of TEST_DATABASE_URL ? [sqlite, postgres] : [sqlite]) {
  const all = MIGRATIONS[target.dialect]

  describe(`migrate (${target.dialect})`, () => {
    it('reports every migration pending, applies each once and nothing the second time', async () => {
      const [db] = await target.fresh(1)
      expect(await migrationStatus(db!)).toEqual(all.map((m) => ({ version: m.version, name: m.name, applied_at: null })))
      expect((await pendingMigrations(db!)).map((m) => m.version)).toEqual(all.map((m) => m.version))
      expect((await migrate(db!, T1)).map((m) => m.version)).toEqual(all.map((m) => m.version))
      const done = all.map((m) => ({ version: m.version, name: m.name, applied_at: T1 }))
      expect(await migrationStatus(db!)).toEqual(done)
      expect(await migrate(db!, T2)).toEqual([])
      expect(await migrationStatus(db!)).toEqual(done)
      expect(await pendingMigrations(db!)).toEqual([])
      expect(await target.tables(db!)).toContain('clients')
    })

    it('applies each migration once when several processes migrate at once', async () => {
      const drivers = await target.fresh(4)
      const results = await Promise.all(drivers.map((d) => migrate(d, T1)))
      expect(results.flat().map((m) => m.version)).toEqual(all.map((m) => m.version))
      expect(results.filter((r) => r.length > 0).length).toBe(1)
      expect(await migrationCount(drivers[3]!)).toEqual(all.map((m) => ({ version: m.version, n: 1 })))
      for (const d of drivers) expect(await pendingMigrations(d)).toEqual([])
    })

    for (const conflicting of ['clients', 'jti_blacklist']) {
      it(`rolls a failing migration back entirely (existing table ${conflicting})`, async () => {
        const [db] = await target.fresh(1)
        await db!.exec(`CREATE TABLE ${conflicting} (unrelated TEXT)`)
        const err = await expectStoreError(migrate(db!, T1), 'migration')
        expect(err.message).toContain(`${all[0]!.version}_${all[0]!.name}`)
        expect(err.message).toContain('nothing was applied')
        expect(await target.tables(db!)).toEqual([conflicting])
        expect((await migrationStatus(db!)).every((m) => m.applied_at === null)).toBe(true)

        await db!.exec(`DROP TABLE ${conflicting}`)
        expect((await migrate(db!, T2)).length).toBe(all.length)
      })
    }

    it('keeps tokens without a flow out of the flow_id indexes, which the revocation by flow still uses', async () => {
      const [db] = await target.fresh(1)
      await migrate(db!, T1)
      for (const table of ['access_tokens', 'refresh_tokens', 'authorization_codes']) {
        const index = `${table}_flow_id_idx`
        const statement = `UPDATE ${table} SET active = FALSE WHERE flow_id = $1 AND active = TRUE`
        if (target.dialect === 'sqlite') {
          const [def] = await db!.all<{ sql: string }>(`SELECT sql FROM sqlite_master WHERE name = $1`, [index])
          expect(def!.sql).toContain('WHERE flow_id IS NOT NULL')
          const plan = await db!.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${statement}`, ['f'])
          expect(plan.map((p) => p.detail).join()).toContain(`USING INDEX ${index}`)
        } else {
          const [def] = await db!.all<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE indexname = $1 AND schemaname = current_schema()', [index])
          expect(def!.indexdef).toContain('WHERE (flow_id IS NOT NULL)')
          const plan = await db!.tx(async (t) => {
            await t.run('SET LOCAL enable_seqscan = off')
            return t.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.replace('$1', "'f'")}`)
          })
          expect(plan.map((p) => p['QUERY PLAN']).join()).toContain(index)
        }
      }
    })

    it('refuses a database that has a migration this build does not know', async () => {
      const [db] = await target.fresh(1)
      await migrate(db!, T1)
      await db!.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', ['9999', 'future', T2])
      const err = await expectStoreError(migrationStatus(db!), 'migration')
      expect(err.message).toContain('9999')
      expect(err.message).toContain('upgrade')
      expect((await expectStoreError(migrate(db!, T2), 'migration')).message).toBe(err.message)
    })
  })
}
