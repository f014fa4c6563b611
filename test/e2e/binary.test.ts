import { describe, expect, it } from 'bun:test'
import pkg from '../../package.json' with { type: 'json' }
import { binaryForSuite, listeningPorts, startBinary } from './_binary.ts'

const suite = binaryForSuite()

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
    const { proc, output } = startBinary(suite.bin, ['serve', 'all', '--dev'], { cwd: suite.dir, env })
    const ports = await output.waitFor(listeningPorts())
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
    const { proc, output } = startBinary(suite.bin, ['no-such-command'], { cwd: suite.dir, env: {} })
    expect(await proc.exited).toBe(2)
    await output.waitFor(() => undefined)
    expect(output.text()).toContain('Usage: gatehouse')
  })
})
