import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { cleanupAfterAll, PROD_ENV, serve, tempDir } from './_cli.ts'
import { runCli } from '../_harness.ts'

cleanupAfterAll()

const ready = (port: number) => fetch(`http://127.0.0.1:${port}/health/ready`)

/** Sends request headers announcing a body, waits for `100 Continue`, and leaves the body to `finish`. */
async function heldRequest(port: number, path: string, body: string) {
  const decoder = new TextDecoder()
  let received = ''
  let closed = false
  let notify = () => {}
  const changed = () => new Promise<void>((resolve) => (notify = resolve))
  const socket = await Bun.connect({
    hostname: '127.0.0.1',
    port,
    socket: {
      data(_s, chunk) {
        received += decoder.decode(chunk)
        notify()
      },
      close() {
        closed = true
        notify()
      },
    },
  })
  const until = async (done: () => boolean) => {
    while (!done()) {
      if (closed) throw new Error(`connection closed after ${JSON.stringify(received)}`)
      await changed()
    }
  }
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
  )
  await until(() => received.includes('100 Continue'))
  return {
    async finish() {
      received = ''
      socket.write(body)
      await until(() => /\r\n\r\n/.test(received) && received.endsWith('}'))
      return { status: Number(received.split(' ')[1]), body: received.slice(received.indexOf('\r\n\r\n') + 4) }
    },
  }
}

describe('serve', () => {
  it('migrates a fresh SQLite file by itself under --dev and answers ready on both ports', async () => {
    const dir = tempDir()
    const s = serve(['all', '--dev'], { DSN: `sqlite://${join(dir, 'dev.sqlite')}` })
    const [publicPort, adminPort] = [await s.port('public'), await s.port('admin')]
    expect(publicPort).not.toBe(adminPort)
    expect(s.lines.some((l) => l.msg === 'applied migrations')).toBe(true)
    expect(s.lines.some((l) => l.level === 'warn' && String(l.msg).includes('secrets.system is not set'))).toBe(true)
    for (const port of [publicPort, adminPort]) {
      const res = await ready(port)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ status: 'ok' })
    }
    const logged = await s.waitFor((l) => l.msg === 'request' && l.path === '/health/ready')
    expect(logged.request_id).toMatch(/^[0-9a-f-]{36}$/)

    s.proc.kill('SIGTERM')
    expect(await s.exited).toBe(0)
    expect(s.lines.at(-1)?.msg).toBe('stopped')
    const status = await runCli(['migrate', 'status', `sqlite://${join(dir, 'dev.sqlite')}`, '--format', 'json'])
    expect(JSON.parse(status.stdout)[0].applied_at).not.toBeNull()
  })

  it('starts only the public or only the admin API when asked', async () => {
    for (const [target, other, signal] of [['public', 'admin', 'SIGTERM'], ['admin', 'public', 'SIGINT']] as const) {
      const s = serve([target], { DSN: 'memory', ...PROD_ENV })
      expect((await ready(await s.port(target))).status).toBe(200)
      expect(s.lines.filter((l) => l.msg === 'listening').map((l) => l.api)).toEqual([target])
      expect(s.lines.some((l) => l.api === other)).toBe(false)
      s.proc.kill(signal)
      expect(await s.exited).toBe(0)
      expect(s.lines.find((l) => String(l.msg).startsWith('shutting down'))?.signal).toBe(signal)
    }
  })

  it('logs text lines when log.format is text', async () => {
    const s = serve(['admin'], { DSN: 'memory', LOG_FORMAT: 'text', ...PROD_ENV })
    const line = await s.waitFor((l) => String(l.msg).includes('msg="listening"'))
    expect(String(line.msg)).toMatch(/level=info msg="listening" api="admin" url="http:\/\/[^"]+:\d+"/)
    s.proc.kill('SIGTERM')
    expect(await s.exited).toBe(0)
  })

  it('on SIGTERM stops accepting, finishes the request in flight and exits 0', async () => {
    const dir = tempDir()
    const path = join(dir, 'drain.sqlite')
    expect((await runCli(['migrate', 'sql', `sqlite://${path}`, '--yes'])).code).toBe(0)
    const s = serve(['admin'], { DSN: `sqlite://${path}`, ...PROD_ENV })
    const port = await s.port('admin')

    const held = await heldRequest(port, '/admin/keys/drain-test', JSON.stringify({ alg: 'ES256', use: 'sig', kid: 'k1' }))
    s.proc.kill('SIGTERM')
    await s.waitFor((l) => String(l.msg).startsWith('shutting down'))
    await expect(fetch(`http://127.0.0.1:${port}/health/alive`)).rejects.toThrow()

    const response = await held.finish()
    expect(response.status).toBe(201)
    expect(JSON.parse(response.body).keys[0]).toMatchObject({ kid: 'k1', alg: 'ES256' })
    expect(await s.exited).toBe(0)
    expect(s.lines.at(-1)?.msg).toBe('stopped')
  })

  it('closes open connections on a second signal', async () => {
    const s = serve(['admin'], { DSN: 'memory', ...PROD_ENV })
    const held = await heldRequest(await s.port('admin'), '/admin/keys/stuck', JSON.stringify({ alg: 'ES256' }))
    s.proc.kill('SIGTERM')
    await s.waitFor((l) => String(l.msg).startsWith('shutting down'))
    s.proc.kill('SIGTERM')
    await s.waitFor((l) => String(l.msg).startsWith('second signal'))
    await expect(held.finish()).rejects.toThrow('connection closed')
    expect(await s.exited).toBe(0)
  })
})
