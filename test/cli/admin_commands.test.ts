import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { PROD_ENV, runCli, serve, type Served } from './_cli.ts'

let server: Served
let admin: string

beforeAll(async () => {
  server = serve(['admin'], { DSN: 'memory', ...PROD_ENV })
  admin = `http://127.0.0.1:${await server.port('admin')}`
})

afterAll(async () => {
  server.proc.kill('SIGTERM')
  await server.exited
})

const cli = (args: string[], env: Record<string, string> = {}) => runCli([...args, '--endpoint', admin], env)

describe('jwk commands', () => {
  it('creates, shows and deletes a key set', async () => {
    const created = await cli(['create', 'jwk', 'cli-set', 'key-1', '--alg', 'ES256', '--format', 'json'])
    expect(created.code).toBe(0)
    const [key] = JSON.parse(created.stdout).keys
    expect(key).toMatchObject({ kid: 'key-1', alg: 'ES256', use: 'sig', kty: 'EC' })
    expect(key.d).toBeString()

    await cli(['create', 'jwk', 'cli-set', '--alg', 'ES256', '--use', 'enc'])
    const table = await cli(['get', 'jwk', 'cli-set'])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^SET ID\s+KEY ID\s+ALGORITHM\s+USE\n/)
    expect(table.stdout).toMatch(/cli-set\s+key-1\s+ES256\s+sig/)
    expect(table.stdout).toMatch(/cli-set\s+[0-9a-f-]{36}\s+ES256\s+enc/)

    const publicOnly = await cli(['get', 'jwk', 'cli-set', '--public', '--format', 'json'])
    const keys = JSON.parse(publicOnly.stdout).keys as Record<string, unknown>[]
    expect(keys).toHaveLength(2)
    for (const k of keys) expect(k.d).toBeUndefined()

    const deleted = await cli(['delete', 'jwk', 'cli-set'])
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toBe('cli-set\n')
  })

  it('prints the server’s error description and exits 1', async () => {
    const missing = await cli(['get', 'jwk', 'no-such-set'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('The JSON Web Key Set "no-such-set" does not exist.')
    const badAlg = await cli(['create', 'jwk', 'cli-set-2', '--alg', 'HS999'])
    expect(badAlg.code).toBe(1)
    expect(badAlg.stderr).toContain('"alg" must be one of')
  })

  it('finds the endpoint in ORY_SDK_URL', async () => {
    const r = await runCli(['create', 'jwk', 'env-set', '--alg', 'ES256'], { ORY_SDK_URL: admin })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/env-set\s+\S+\s+ES256\s+sig/)
  })

  it('reports an unreachable endpoint in one line', async () => {
    const r = await runCli(['get', 'jwk', 'x', '--endpoint', 'http://127.0.0.1:1'])
    expect(r.code).toBe(1)
    expect(r.stderr).toStartWith('gatehouse: cannot reach http://127.0.0.1:1')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})
