import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { cleanupAfterAll, databases, tempDir } from './_cli.ts'
import { runCli } from '../_harness.ts'
import { MIGRATIONS } from '../../src/store/migrations.ts'

cleanupAfterAll()

const status = async (args: string[], env: Record<string, string> = {}) => {
  const r = await runCli(['migrate', 'status', ...args, '--format', 'json'], env)
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout) as { version: string; name: string; applied_at: string | null }[]
}

for (const target of databases()) {
  describe(`migrate (${target.name})`, () => {
    it('applies with --yes, shows the applied migrations in status, and is idempotent', async () => {
      const dsn = await target.fresh()
      expect((await status([dsn])).map((s) => s.applied_at)).toEqual(MIGRATIONS.sqlite.map(() => null))

      const first = await runCli(['migrate', 'sql', dsn, '--yes'])
      expect(first.code).toBe(0)
      expect(first.stdout).toContain('Applied 6 migration(s): 0001_init, 0002_partial_flow_indexes, 0003_remembered_flows_index, 0004_device_codes, 0005_trusted_jwt_issuers, 0006_registration_access_token')

      const rows = await status([dsn])
      const [row] = rows
      expect(row).toMatchObject({ version: '0001', name: 'init' })
      expect(rows[1]).toMatchObject({ version: '0002', name: 'partial_flow_indexes' })
      expect(rows[2]).toMatchObject({ version: '0003', name: 'remembered_flows_index' })
      expect(rows[3]).toMatchObject({ version: '0004', name: 'device_codes' })
      expect(rows[4]).toMatchObject({ version: '0005', name: 'trusted_jwt_issuers' })
      expect(rows[5]).toMatchObject({ version: '0006', name: 'registration_access_token' })
      expect(Number.isNaN(Date.parse(row!.applied_at!))).toBe(false)

      const again = await runCli(['migrate', 'sql', dsn, '--yes'])
      expect(again.code).toBe(0)
      expect(again.stdout).toContain('up to date')
      expect(await status([dsn])).toEqual(rows)

      const table = await runCli(['migrate', 'status', dsn])
      expect(table.stdout).toMatch(/^VERSION\s+NAME\s+APPLIED AT\n0001\s+init\s+\d{4}-/)
    })

    it('applies nothing without --yes when stdin gives no answer', async () => {
      const dsn = await target.fresh()
      const r = await runCli(['migrate', 'sql', dsn])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('0001_init')
      expect(r.stdout).toContain('[y/N]')
      expect(r.stdout).toContain('not applied')
      expect((await status([dsn]))[0]!.applied_at).toBeNull()

      const no = await runCli(['migrate', 'sql', dsn], {}, 'n\n')
      expect(no.stdout).toContain('not applied')
      expect((await status([dsn]))[0]!.applied_at).toBeNull()
    })

    it('applies after a yes on stdin', async () => {
      const dsn = await target.fresh()
      const r = await runCli(['migrate', 'sql', dsn], {}, 'y\n')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('Applied 6 migration(s)')
      expect((await status([dsn]))[0]!.applied_at).not.toBeNull()
    })

    it('reads the DSN from the environment with -e and from the config file with -c', async () => {
      const dsn = await target.fresh()
      const r = await runCli(['migrate', 'sql', '-e', '--yes'], { DSN: dsn })
      expect(r.code).toBe(0)
      expect((await status(['-e'], { DSN: dsn }))[0]!.applied_at).not.toBeNull()

      const other = await target.fresh()
      const file = join(tempDir(), 'gatehouse.yml')
      await Bun.write(file, `dsn: "${other}"\n`)
      expect((await runCli(['migrate', 'sql', '-c', file, '--yes'])).code).toBe(0)
      expect((await status([other]))[0]!.applied_at).not.toBeNull()
    })
  })
}

describe('migrate arguments', () => {
  it('refuses a DSN argument together with -e', async () => {
    const r = await runCli(['migrate', 'sql', 'memory', '-e'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('not both')
  })
})
