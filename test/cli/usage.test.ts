import { describe, expect, it } from 'bun:test'
import { envKeys } from '../../src/config/load.ts'
import { configRows } from '../../src/config/rows.ts'
import { cleanupAfterAll } from './_cli.ts'
import { runCli } from '../_harness.ts'

cleanupAfterAll()

const COMMANDS = [
  'serve all|public|admin',
  'migrate sql',
  'migrate status',
  'janitor',
  'create client',
  'get client',
  'list clients',
  'update client',
  'delete client',
  'create jwk',
  'get jwk',
  'delete jwk',
  'perform client-credentials',
  'introspect token',
  'revoke token',
  'version',
  'help',
]

describe('usage', () => {
  it('prints every command for help and exits 0', async () => {
    const r = await runCli(['help'])
    expect(r.code).toBe(0)
    for (const c of COMMANDS) expect(r.stdout).toContain(`gatehouse ${c}`)
  })

  it('prints usage and exits 2 on an unknown command', async () => {
    const r = await runCli(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('unknown command')
    expect(r.stderr).toContain('gatehouse migrate sql')
    expect(r.stdout).toBe('')
  })

  it('prints usage and exits 2 without a command', async () => {
    const r = await runCli([])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Usage: gatehouse <command>')
  })

  it('names the subcommands of a group given alone', async () => {
    const r = await runCli(['migrate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('expects one of: sql, status')
  })

  it('prints the command usage and exits 2 on an unknown flag', async () => {
    const r = await runCli(['migrate', 'sql', 'memory', '--frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("Unknown option '--frobnicate'")
    expect(r.stderr).toContain('Usage: gatehouse migrate sql [DSN]')
    expect(r.stderr).toContain('--yes')
  })

  it('exits 2 on a wrong serve target and on missing or extra arguments', async () => {
    const cases = [['serve', 'everything'], ['serve'], ['version', 'extra'], ['janitor', '--limit', 'many', 'memory']]
    for (const r of await Promise.all(cases.map((args) => runCli(args)))) {
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('Usage: gatehouse')
    }
  })

  it('prints a command’s flags with --help and exits 0', async () => {
    const r = await runCli(['janitor', '--help'])
    expect(r.code).toBe(0)
    for (const flag of ['--tokens', '--requests', '--limit', '--batch-size', '--keep-if-younger', '-e, --read-from-env']) {
      expect(r.stdout).toContain(flag)
    }
  })

  it('resolves the Hydra alias create oauth2-client', async () => {
    const r = await runCli(['help', 'create', 'oauth2-client'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: gatehouse create client')
    expect(r.stdout).toContain('--grant-type')
  })

  it('prints the version', async () => {
    const r = await runCli(['version'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^gatehouse v\d+\.\d+\.\d+/)
  })
})

describe('help config', () => {
  it('has one row per configuration key with its variable, type, default and description', () => {
    const rows = configRows()
    expect(rows.map((r) => r.key)).toEqual(envKeys().map((k) => k.key))
    expect(rows.find((r) => r.key === 'serve.public.port')).toEqual({
      key: 'serve.public.port',
      env: 'SERVE_PUBLIC_PORT',
      type: 'integer',
      default: '4444',
      description: 'TCP port of the public API.',
    })
    expect(rows.find((r) => r.key === 'ttl.access_token')).toMatchObject({ type: 'duration', default: '1h' })
    expect(rows.find((r) => r.key === 'strategies.scope')).toMatchObject({ type: 'wildcard|exact', default: 'wildcard' })
    expect(rows.find((r) => r.key === 'secrets.system')).toMatchObject({ env: 'SECRETS_SYSTEM', type: 'list', default: '' })
    expect(rows.find((r) => r.key === 'urls.login')).toMatchObject({ type: 'url', default: '' })
    for (const r of rows) expect(r.description).not.toBe('')
  })

  it('prints every key with its environment variable', async () => {
    const r = await runCli(['help', 'config'])
    expect(r.code).toBe(0)
    for (const row of configRows()) {
      expect(r.stdout).toContain(row.key)
      expect(r.stdout).toContain(row.env)
    }
  })
})
