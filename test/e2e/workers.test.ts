import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { binaryForSuite, listeningPorts, startBinary, type Ports } from './_binary.ts'

const suite = binaryForSuite()

type LogLine = { msg?: string; worker?: number; pid?: number; path?: string; code?: number }
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

const basic = (id: string, secret: string) => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`

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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('serve.workers', () => {
  it('serves from two processes that share cache invalidations, restarts a killed worker and stops them all on SIGTERM', async () => {
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
    const firstPid = (await output.waitFor((l) => (parsed(l)?.msg === 'worker started' ? parsed(l)!.pid : undefined)))!

    // Both processes answer: the access log names the worker that served each request.
    const before = output.lines.length
    for (let i = 0; i < 40; i++) await (await fresh(`http://127.0.0.1:${ports.public}/.well-known/openid-configuration`)).arrayBuffer()
    await output.waitFor(() => (output.lines.length - before >= 40 ? true : undefined))
    const served = output.lines.slice(before).map(parsed).filter((l) => l?.path === '/.well-known/openid-configuration')
    expect(served.filter((l) => l!.worker === 1).length).toBeGreaterThan(0)
    expect(served.filter((l) => l!.worker === undefined).length).toBeGreaterThan(0)

    // A client cached by both processes; its secret rotated through one of them takes effect in both at once.
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

    // A worker that dies is started again, and requests keep being answered meanwhile.
    process.kill(firstPid, 'SIGKILL')
    const exited = await output.waitFor((l) => (parsed(l)?.msg === 'worker exited unexpectedly' ? parsed(l) : undefined))
    expect(exited).toMatchObject({ worker: 1, pid: firstPid })
    const secondPid = (await output.waitFor((l) => {
      const e = parsed(l)
      return e?.msg === 'worker started' && e.pid !== firstPid ? e.pid : undefined
    }))!
    expect(await tokenStatuses(ports, 'w', 'second-secret-0123456789', 10)).toEqual(Array(10).fill(200))

    proc.kill('SIGTERM')
    expect(await proc.exited, output.text()).toBe(0)
    expect(alive(secondPid)).toBe(false)
    expect(output.lines.filter((l) => parsed(l)?.msg === 'stopped').length).toBe(2)
  }, 120_000)

  it('refuses more than one worker on an in-memory store', async () => {
    const { proc, output } = startBinary(suite.bin, ['serve', 'all', '--dev'], { cwd: suite.dir, env: { DSN: 'memory', SERVE_WORKERS: '3' } })
    expect(await proc.exited).not.toBe(0)
    await output.waitFor(() => undefined)
    expect(output.text()).toContain('serve.workers: more than one worker needs a database file')
  })
})
