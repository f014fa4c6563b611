import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { basic } from '../_harness.ts'
import { binaryForSuite, listeningPorts, startBinary, type Ports } from './_binary.ts'

const suite = binaryForSuite()

type LogLine = { msg?: string; worker?: number; thread?: number; path?: string; code?: number }
const parsed = (line: string): LogLine | undefined => {
  try {
    return JSON.parse(line) as LogLine
  } catch {
    return undefined
  }
}

/** A request on a connection of its own, so that the kernel picks a worker for each. */
const fresh = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, keepalive: false, headers: { ...(init.headers as Record<string, string>), connection: 'close' } })

async function tokenStatuses(ports: Ports, id: string, secret: string, n: number): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < n; i++) {
    const res = await fresh(`http://127.0.0.1:${ports.public}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    })
    await res.arrayBuffer()
    statuses.push(res.status)
  }
  return statuses
}

describe('serve.workers', () => {
  it('serves from two threads that share cache invalidations and token writes, and stops them all on SIGTERM', async () => {
    const dsn = `sqlite://${join(suite.dir, 'workers.sqlite')}`
    const migrate = startBinary(suite.bin, ['migrate', 'sql', dsn, '--yes'], { cwd: suite.dir, env: {} })
    expect(await migrate.proc.exited, migrate.output.text()).toBe(0)

    const env = {
      DSN: dsn,
      SECRETS_SYSTEM: 'workers-test-system-secret-0123456789',
      URLS_SELF_ISSUER: 'https://auth.example.test',
      SERVE_PUBLIC_HOST: '127.0.0.1',
      SERVE_ADMIN_HOST: '127.0.0.1',
      SERVE_PUBLIC_PORT: '0',
      SERVE_ADMIN_PORT: '0',
      SERVE_WORKERS: '2',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    }
    const { proc, output } = startBinary(suite.bin, ['serve', 'all'], { cwd: suite.dir, env })
    const ports = (await output.waitFor(listeningPorts()))!
    expect(ports, output.text()).toBeDefined()
    let listeningWorkers = 0
    await output.waitFor((l) => (parsed(l)?.msg === 'listening' && parsed(l)?.worker === 1 && ++listeningWorkers === 2 ? true : undefined))
    expect(await output.waitFor((l) => (parsed(l)?.msg === 'worker started' ? parsed(l)!.thread : undefined))).toBeGreaterThan(0)

    // Both threads answer: the access log names the worker that served each request.
    const before = output.lines.length
    for (let i = 0; i < 40; i++) await (await fresh(`http://127.0.0.1:${ports.public}/.well-known/openid-configuration`)).arrayBuffer()
    await output.waitFor(() => (output.lines.length - before >= 40 ? true : undefined))
    const served = output.lines.slice(before).map(parsed).filter((l) => l?.path === '/.well-known/openid-configuration')
    expect(served.filter((l) => l!.worker === 1).length).toBeGreaterThan(0)
    expect(served.filter((l) => l!.worker === undefined).length).toBeGreaterThan(0)

    // A client cached by both threads; its secret rotated through one of them takes effect in both at once.
    const created = await fresh(`http://127.0.0.1:${ports.admin}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'w', client_secret: 'first-secret-0123456789', grant_types: ['client_credentials'], scope: 'read' }),
    })
    expect(created.status).toBe(201)
    expect(await tokenStatuses(ports, 'w', 'first-secret-0123456789', 30)).toEqual(Array(30).fill(200))
    const replaced = await fresh(`http://127.0.0.1:${ports.admin}/admin/clients/w`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'w', client_secret: 'second-secret-0123456789', grant_types: ['client_credentials'], scope: 'read' }),
    })
    expect(replaced.status).toBe(200)
    expect(await tokenStatuses(ports, 'w', 'second-secret-0123456789', 30)).toEqual(Array(30).fill(200))
    expect(await tokenStatuses(ports, 'w', 'first-secret-0123456789', 10)).toEqual(Array(10).fill(401))

    // Token writes from both threads at once, each on a connection of its own: every token is stored.
    const issued = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const res = await fresh(`http://127.0.0.1:${ports.public}/oauth2/token`, {
          method: 'POST',
          headers: { authorization: basic('w', 'second-secret-0123456789'), 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        })
        expect(res.status).toBe(200)
        return ((await res.json()) as { access_token: string }).access_token
      }),
    )
    const actives = await Promise.all(
      issued.map(async (token) => {
        const res = await fresh(`http://127.0.0.1:${ports.admin}/admin/oauth2/introspect`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `token=${encodeURIComponent(token)}`,
        })
        return ((await res.json()) as { active: boolean }).active
      }),
    )
    expect(actives).toEqual(Array(60).fill(true))
    const tokenLines = output.lines.map(parsed).filter((l) => l?.path === '/oauth2/token')
    expect(new Set(tokenLines.map((l) => l!.worker ?? 0)).size).toBe(2)

    proc.kill('SIGTERM')
    expect(await proc.exited, output.text()).toBe(0)
    expect(output.lines.filter((l) => parsed(l)?.msg === 'stopped').length).toBe(2)
  }, 120_000)

  it('refuses more than one worker on an in-memory store', async () => {
    const { proc, output } = startBinary(suite.bin, ['serve', 'all', '--dev'], { cwd: suite.dir, env: { DSN: 'memory', SERVE_WORKERS: '3' } })
    expect(await proc.exited).not.toBe(0)
    await output.waitFor(() => undefined)
    expect(output.text()).toContain('serve.workers: more than one worker needs a database file')
  })
})
