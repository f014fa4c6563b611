import { expect } from 'bun:test'
import { join } from 'node:path'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { OutputLines } from '../e2e/_binary.ts'

export const ROOT = join(import.meta.dir, '..', '..')
export const MAIN = join(ROOT, 'src', 'main.ts')

/** Two ports nobody listens on right now. */
export function freePorts(): [number, number] {
  const sockets = [0, 1].map(() => Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } }))
  const ports = sockets.map((s) => s.port)
  for (const s of sockets) s.stop(true)
  return [ports[0]!, ports[1]!]
}

/** A `gatehouse serve all --dev` process and what its demo banner printed. */
export interface DevProcess {
  proc: Bun.Subprocess
  output: OutputLines
  authorizeUrl: string
  clientId: string
  clientSecret: string
  publicUrl: string
  adminUrl: string
}

const running = new Set<Bun.Subprocess>()

/** Kills the processes `startDev` started that still run (for afterAll). */
export function killDev() {
  for (const proc of running) proc.kill('SIGKILL')
}

/** The environment of a dev server: in memory, JSON logs, fast ES256 keys, on the given ports. */
export function devEnv(ports: [number, number], env: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DSN: 'memory',
    LOG_FORMAT: 'json',
    KEYS_ALGORITHMS_ID_TOKEN: 'ES256',
    KEYS_ALGORITHMS_ACCESS_TOKEN: 'ES256',
    SERVE_PUBLIC_PORT: String(ports[0]),
    SERVE_ADMIN_PORT: String(ports[1]),
    ...env,
  }
}

/** Starts `command` (a `serve all --dev`) and waits for the demo banner's client and authorize URL. */
export async function startDev(command: string[], options: { cwd: string; env?: Record<string, string> }): Promise<DevProcess> {
  const ports = freePorts()
  const proc = Bun.spawn(command, { cwd: options.cwd, env: devEnv(ports, options.env), stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  running.add(proc)
  void proc.exited.then(() => running.delete(proc))
  const output = new OutputLines([proc.stdout, proc.stderr])
  const field = (name: string) => (line: string) => new RegExp(`^\\s+${name}:\\s+(\\S+)$`).exec(line)?.[1]
  const authorizeUrl = await output.waitFor((line) => /^\s+(http:\/\/\S+\/oauth2\/auth\?\S+)$/.exec(line)?.[1])
  if (!authorizeUrl) throw new Error(`no authorize URL was printed:\n${output.text()}`)
  return {
    proc,
    output,
    authorizeUrl,
    clientId: (await output.waitFor(field('client_id')))!,
    clientSecret: (await output.waitFor(field('client_secret')))!,
    publicUrl: new URL(authorizeUrl).origin,
    adminUrl: `http://localhost:${ports[1]}`,
  }
}

/** Stops a dev server with SIGTERM and returns its exit code. */
export async function stopDev(dev: DevProcess): Promise<number> {
  dev.proc.kill('SIGTERM')
  return dev.proc.exited
}

export interface ShownTokens {
  access_token: string
  id_token: string
  refresh_token?: string
}

/**
 * Checks tokens against the running server as a relying party and a resource server would: the ID token's
 * signature by the published JWKS with iss, aud, sub and the request's nonce, and the access token active at
 * the admin introspection endpoint.
 */
export async function verifyTokens(dev: DevProcess, tokens: ShownTokens, expected: { sub: string }) {
  const jwks = createRemoteJWKSet(new URL(`${dev.publicUrl}/.well-known/jwks.json`))
  const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer: dev.publicUrl, audience: dev.clientId })
  expect(payload.sub).toBe(expected.sub)
  expect(payload.nonce).toBe(new URL(dev.authorizeUrl).searchParams.get('nonce')!)
  const res = await fetch(`${dev.adminUrl}/admin/oauth2/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: tokens.access_token }),
  })
  expect(await res.json()).toMatchObject({ active: true, sub: expected.sub, client_id: dev.clientId, token_use: 'access_token' })
}

/** A user agent over real HTTP: a cookie jar, redirects followed by hand. */
export class HttpAgent {
  readonly #cookies = new Map<string, string>()

  async open(url: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {}
    if (this.#cookies.size) headers.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const init: RequestInit = { headers, redirect: 'manual' }
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      init.method = 'POST'
      init.body = new URLSearchParams(form).toString()
    }
    const res = await fetch(url, init)
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!
      const eq = pair.indexOf('=')
      if (/Max-Age=0(;|$)/.test(line)) this.#cookies.delete(pair.slice(0, eq))
      else this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    return res
  }

  /** Opens a URL (or submits a form) and follows redirects; the final URL and page. */
  async visit(url: string, form?: Record<string, string>): Promise<{ url: string; res: Response; html: string }> {
    let res = await this.open(url, form)
    for (let i = 0; i < 10 && res.status === 302; i++) {
      url = new URL(res.headers.get('location')!, url).href
      res = await this.open(url)
    }
    return { url, res, html: await res.text() }
  }
}
