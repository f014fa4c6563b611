import { describe, expect, it } from 'bun:test'
import { Database } from 'bun:sqlite'
import { join } from 'node:path'
import { cleanupAfterAll, noStack, PROD_ENV, tempDir } from './_cli.ts'
import { FAST_KEYS, runCli } from '../_harness.ts'

cleanupAfterAll()

const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/x'

describe('serve refuses to start with one clear message', () => {
  it('lists every problem of an invalid config file with its path', async () => {
    const file = join(tempDir(), 'gatehouse.yml')
    await Bun.write(
      file,
      'serve:\n  public:\n    port: abc\nttl:\n  access_token: forever\nlog:\n  level: loud\nunknown_key: 1\n',
    )
    const r = await runCli(['serve', 'all', '-c', file])
    expect(r.code).toBe(1)
    for (const path of ['serve.public.port:', 'ttl.access_token:', 'log.level:', 'unknown_key:', 'secrets.system:', 'urls.self.issuer:']) {
      expect(r.stderr).toContain(`  - ${path}`)
    }
    expect(noStack(r.stderr)).toBe(true)
  })

  it('reads JSON config files and lets the environment override them', async () => {
    const file = join(tempDir(), 'gatehouse.json')
    await Bun.write(file, JSON.stringify({ dsn: 'memory', serve: { admin: { port: 'nope' } }, log: { level: 'loud' } }))
    const r = await runCli(['serve', 'all', '-c', file], { SERVE_ADMIN_PORT: '4999', ...PROD_ENV })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('log.level:')
    expect(r.stderr).not.toContain('serve.admin.port')
  })

  it('reports malformed YAML', async () => {
    const file = join(tempDir(), 'broken.yml')
    await Bun.write(file, 'serve: [unclosed\n')
    const r = await runCli(['serve', 'all', '-c', file])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${file}: cannot parse`)
    expect(noStack(r.stderr)).toBe(true)
  })

  it('reports a missing config file', async () => {
    const file = join(tempDir(), 'absent.yml')
    const r = await runCli(['serve', 'all', '-c', file])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`gatehouse: cannot read config file ${file}: no such file\n`)
  })

  it('reports a wrong DSN scheme', async () => {
    const r = await runCli(['serve', 'all'], { DSN: 'mysql://root@localhost/hydra', ...PROD_ENV })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('dsn: unsupported scheme "mysql"')
    expect(noStack(r.stderr)).toBe(true)
  })

  it('reports an unreachable PostgreSQL', async () => {
    const r = await runCli(['serve', 'all'], { DSN: UNREACHABLE, ...PROD_ENV })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`cannot reach the database at ${UNREACHABLE}`)
    expect(noStack(r.stderr)).toBe(true)
  })

  it('reports a port already in use', async () => {
    const taken = Bun.serve({ port: 0, fetch: () => new Response('taken') })
    try {
      const env = { DSN: 'memory', SERVE_PUBLIC_PORT: String(taken.port), SERVE_ADMIN_PORT: '0', ...FAST_KEYS, ...PROD_ENV }
      const r = await runCli(['serve', 'all'], env)
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`cannot listen on *:${taken.port} (public API)`)
      expect(noStack(r.stderr)).toBe(true)
    } finally {
      await taken.stop(true)
    }
  })

  it('refuses an unmigrated database, naming gatehouse migrate sql', async () => {
    const dsn = `sqlite://${join(tempDir(), 'fresh.sqlite')}`
    const r = await runCli(['serve', 'all'], { DSN: dsn, ...PROD_ENV })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('pending migration')
    expect(r.stderr).toContain('gatehouse migrate sql')
    expect(r.stderr).not.toContain('"msg":"listening"')
  })

  it('refuses a half-applied schema, and migrate explains what failed without applying anything', async () => {
    const path = join(tempDir(), 'half.sqlite')
    const db = new Database(path)
    db.run('CREATE TABLE clients (id TEXT PRIMARY KEY)')
    db.close()
    const dsn = `sqlite://${path}`

    const served = await runCli(['serve', 'all'], { DSN: dsn, ...PROD_ENV })
    expect(served.code).toBe(1)
    expect(served.stderr).toContain('gatehouse migrate sql')

    const migrated = await runCli(['migrate', 'sql', dsn, '--yes'])
    expect(migrated.code).toBe(1)
    expect(migrated.stderr).toContain('migration 0001_init failed and nothing was applied')
    expect(migrated.stderr.trim().split('\n')).toHaveLength(1)

    const status = await runCli(['migrate', 'status', dsn, '--format', 'json'])
    expect(JSON.parse(status.stdout)).toEqual([
      { version: '0001', name: 'init', applied_at: null },
      { version: '0002', name: 'partial_flow_indexes', applied_at: null },
      { version: '0003', name: 'remembered_flows_index', applied_at: null },
      { version: '0004', name: 'device_codes', applied_at: null },
      { version: '0005', name: 'trusted_jwt_issuers', applied_at: null },
      { version: '0006', name: 'registration_access_token', applied_at: null },
    ])
  })
})

describe('migrate and janitor fail with one clear message', () => {
  it('reports a wrong DSN scheme', async () => {
    const cases = [['migrate', 'sql', 'mysql://x', '--yes'], ['migrate', 'status', 'mysql://x'], ['janitor', 'mysql://x']]
    for (const r of await Promise.all(cases.map((args) => runCli(args)))) {
      expect(r.code).toBe(1)
      expect(r.stderr).toBe('gatehouse: dsn: unsupported scheme "mysql"\n')
    }
  })

  it('reports an unreachable PostgreSQL', async () => {
    const r = await runCli(['migrate', 'sql', UNREACHABLE, '--yes'])
    expect(r.code).toBe(1)
    expect(r.stderr).toStartWith(`gatehouse: cannot reach the database at ${UNREACHABLE}`)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('requires a DSN argument or -e', async () => {
    const r = await runCli(['migrate', 'sql'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('a DSN argument or -e')
    const fromEnv = await runCli(['migrate', 'sql', '-e'])
    expect(fromEnv.code).toBe(1)
    expect(fromEnv.stderr).toContain('set the DSN environment variable')
  })
})
