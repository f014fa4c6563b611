import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { rm } from 'node:fs/promises'
import pkg from '../../package.json' with { type: 'json' }
import { isolatedBinary, OutputLines } from './_binary.ts'

let dir = ''
let bin = ''
const running = new Set<Bun.Subprocess>()

beforeAll(async () => {
  ;({ dir, bin } = await isolatedBinary())
}, 120_000)

afterAll(async () => {
  for (const proc of running) proc.kill('SIGKILL')
  if (dir) await rm(dir, { recursive: true, force: true })
})

function start(args: string[], env: Record<string, string>) {
  const proc = Bun.spawn([bin, ...args], { cwd: dir, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  running.add(proc)
  void proc.exited.then(() => running.delete(proc))
  return { proc, output: new OutputLines([proc.stdout, proc.stderr]) }
}

type Ports = { public?: number; admin?: number }

/** Reads the `listening` log lines until both APIs have reported their port. */
function listeningPorts(ports: Ports) {
  return (line: string): Required<Ports> | undefined => {
    let entry: { msg?: string; api?: string; port?: number }
    try {
      entry = JSON.parse(line)
    } catch {
      return undefined
    }
    if (entry.msg === 'listening' && (entry.api === 'public' || entry.api === 'admin')) ports[entry.api] = entry.port
    return ports.public && ports.admin ? { public: ports.public, admin: ports.admin } : undefined
  }
}

/** GETs `url` until it answers 200, at most `attempts` times. */
async function pollOk(url: string, attempts = 100): Promise<Response> {
  let last: Response | Error = new Error('never tried')
  for (let i = 0; i < attempts; i++) {
    last = await fetch(url).catch((err: Error) => err)
    if (last instanceof Response && last.status === 200) return last
  }
  throw new Error(`${url} did not answer 200: ${last instanceof Response ? last.status : last.message}`)
}

describe('the compiled binary', () => {
  it('serves both APIs with serve all --dev on an in-memory store and exits 0 on SIGTERM', async () => {
    const env = { DSN: 'memory', SERVE_PUBLIC_PORT: '0', SERVE_ADMIN_PORT: '0', LOG_FORMAT: 'json' }
    const { proc, output } = start(['serve', 'all', '--dev'], env)
    const ports = await output.waitFor(listeningPorts({}))
    expect(ports, output.text()).toBeDefined()

    for (const port of [ports!.public, ports!.admin]) {
      const ready = await pollOk(`http://127.0.0.1:${port}/health/ready`)
      expect(await ready.json()).toEqual({ status: 'ok' })
    }
    const version = await fetch(`http://127.0.0.1:${ports!.admin}/admin/version`)
    expect(await version.json()).toEqual({ version: `v${pkg.version}` })

    proc.kill('SIGTERM')
    expect(await proc.exited, output.text()).toBe(0)
    expect(output.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true)
  }, 120_000)

  it('exits 2 with usage on an unknown command', async () => {
    const { proc, output } = start(['no-such-command'], {})
    expect(await proc.exited).toBe(2)
    await output.waitFor(() => undefined)
    expect(output.text()).toContain('Usage: gatehouse')
  })
})
