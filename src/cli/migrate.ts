import type { SqlStore } from '../store/sql/store.ts'
import type { Command } from './args.ts'
import { type CliIo } from './io.ts'
import { EXIT_OK } from '../util/exit_codes.ts'
import { FORMAT_FLAG, formatOf, print, renderTable } from './output.ts'
import { DSN_FLAGS, resolveDsn } from './source.ts'

const label = (m: { version: string; name: string }) => `${m.version}_${m.name}`

/** The store and migration modules, loaded only by the commands that use them (they pull in the drivers). */
const storeModules = async () => ({ ...(await import('../store/open.ts')), ...(await import('../store/migrate.ts')) })

async function withStore<T>(dsn: string, fn: (store: SqlStore) => Promise<T>): Promise<T> {
  const { openStore } = await storeModules()
  const store = await openStore(dsn, { max: 1 })
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  io.out(`${question} [y/N] `)
  const answer = await io.readLine()
  if (answer === null) io.out('\n')
  return answer !== null && /^y(es)?$/i.test(answer.trim())
}

export const migrateSqlCommand: Command = {
  path: ['migrate', 'sql'],
  args: '[DSN]',
  positionals: { min: 0, max: 1 },
  summary: 'Apply pending SQL migrations (all or none, in one transaction).',
  flags: {
    ...DSN_FLAGS,
    yes: { type: 'boolean', short: 'y', description: 'Apply without asking for confirmation.' },
  },
  async run(args, io) {
    const dsn = await resolveDsn(args, io.env)
    const { migrate, pendingMigrations, redactDsn } = await storeModules()
    return withStore(dsn, async (store) => {
      const pending = await pendingMigrations(store.driver)
      if (pending.length === 0) {
        io.out(`The database at ${redactDsn(dsn)} is up to date; there is nothing to apply.\n`)
        return EXIT_OK
      }
      io.out(`Pending migrations for ${redactDsn(dsn)}:\n${pending.map((m) => `  ${label(m)}\n`).join('')}`)
      if (!args.boolean('yes') && !(await confirm(io, `Apply ${pending.length} migration(s)?`))) {
        io.out('Migrations were not applied.\n')
        return EXIT_OK
      }
      const applied = await migrate(store.driver)
      const names = applied.map(label).join(', ') || 'none (another process applied them first)'
      io.out(`Applied ${applied.length} migration(s): ${names}\n`)
      return EXIT_OK
    })
  },
}

export const migrateStatusCommand: Command = {
  path: ['migrate', 'status'],
  args: '[DSN]',
  positionals: { min: 0, max: 1 },
  summary: 'Show which migrations are applied.',
  flags: { ...DSN_FLAGS, format: FORMAT_FLAG },
  async run(args, io) {
    const format = formatOf(args.string('format'))
    const dsn = await resolveDsn(args, io.env)
    const { migrationStatus } = await storeModules()
    const status = await withStore(dsn, (store) => migrationStatus(store.driver))
    const rows = status.map((s) => ({
      version: s.version,
      name: s.name,
      applied_at: s.applied_at === null ? null : new Date(s.applied_at).toISOString(),
    }))
    print(io, format, rows, () =>
      renderTable(
        ['VERSION', 'NAME', 'APPLIED AT'],
        rows.map((r) => [r.version, r.name, r.applied_at ?? 'pending']),
      ),
    )
    return EXIT_OK
  },
}
