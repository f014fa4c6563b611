import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { pollDeviceToken, type PollDeps } from '../../src/cli/device_code.ts'
import { CommandError } from '../../src/cli/args.ts'
import type { Reply } from '../../src/cli/http.ts'
import { cliEnv, DEVICE_GRANT, MAIN, OutputLines, ROOT, runCli } from '../_harness.ts'
import { cleanupAfterAll, PROD_ENV, serve, type Served } from './_cli.ts'

cleanupAfterAll()

const reply = (status: number, body: unknown): Reply => ({ status, headers: new Headers(), body })
const pending = reply(400, { error: 'authorization_pending' })
const slowDown = reply(400, { error: 'slow_down' })

/** Poll dependencies that answer `replies` in turn on a clock that only the sleeps move. */
function scripted(replies: Reply[]) {
  let now = 0
  const sleeps: number[] = []
  const forms: Record<string, string>[] = []
  const deps: PollDeps = {
    token: async (form) => {
      forms.push(form)
      return replies.shift() ?? pending
    },
    sleep: async (ms) => {
      sleeps.push(ms)
      now += ms
    },
    now: () => now,
  }
  return { deps, sleeps, forms }
}

describe('pollDeviceToken', () => {
  it('waits the interval before each poll, 5 seconds longer after every slow_down, until the tokens come', async () => {
    const { deps, sleeps, forms } = scripted([pending, slowDown, pending, slowDown, reply(200, { access_token: 'at' })])
    expect(await pollDeviceToken(deps, { device_code: 'dc', expires_in: 600, interval: 2 })).toEqual({ access_token: 'at' })
    expect(sleeps).toEqual([2000, 2000, 7000, 7000, 12000])
    expect(forms[0]).toEqual({ grant_type: DEVICE_GRANT, device_code: 'dc' })
  })

  it('polls every 5 seconds without an interval (RFC 8628 §3.5)', async () => {
    const { deps, sleeps } = scripted([pending, reply(200, {})])
    await pollDeviceToken(deps, { device_code: 'dc', expires_in: 600 })
    expect(sleeps).toEqual([5000, 5000])
  })

  it('stops at any other error, and before polling past the device code’s expiry', async () => {
    const denied = scripted([pending, reply(400, { error: 'access_denied', error_description: 'The user did not authorize the device.' })])
    const err = await pollDeviceToken(denied.deps, { device_code: 'dc', expires_in: 600, interval: 1 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CommandError)
    expect((err as Error).message).toBe('the server answered 400: The user did not authorize the device.')

    const expiring = scripted([])
    const late = await pollDeviceToken(expiring.deps, { device_code: 'dc', expires_in: 12, interval: 5 }).catch((e: unknown) => e)
    expect((late as Error).message).toContain('expired')
    expect(expiring.sleeps).toEqual([5000, 5000])
  })
})

describe('gatehouse perform device-code', () => {
  let server: Served
  let publicUrl: string
  let adminUrl: string

  beforeAll(async () => {
    server = serve(['all'], {
      DSN: 'memory',
      OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000',
      OAUTH2_DEVICE_AUTHORIZATION_TOKEN_POLLING_INTERVAL: '1s',
      URLS_LOGIN: 'https://login.test/login',
      URLS_CONSENT: 'https://login.test/consent',
      URLS_DEVICE_VERIFICATION: 'https://login.test/device',
      URLS_DEVICE_SUCCESS: 'https://login.test/device/done',
      ...PROD_ENV,
    })
    publicUrl = `http://127.0.0.1:${await server.port('public')}`
    adminUrl = `http://127.0.0.1:${await server.port('admin')}`
  })

  afterAll(async () => {
    server.proc.kill('SIGTERM')
    await server.exited
  })

  async function adminCall(method: string, path: string, body?: unknown) {
    const res = await fetch(`${adminUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) })
    expect(res.ok).toBe(true)
    return (await res.json()) as Record<string, unknown>
  }

  /** The user's browser on the real server: a cookie jar, redirects not followed, the issuer mapped to the public port. */
  function browser() {
    const jar = new Map<string, string>()
    return async (url: string): Promise<URL> => {
      const res = await fetch(url.replace(PROD_ENV.URLS_SELF_ISSUER, publicUrl), {
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      })
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';')
        jar.set(pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1))
      }
      expect(res.status).toBe(302)
      return new URL(res.headers.get('location')!)
    }
  }

  it('shows the verification URL and user code, waits while the user signs in, then prints the tokens', async () => {
    const client = await adminCall('POST', '/admin/clients', {
      grant_types: [DEVICE_GRANT, 'refresh_token'],
      scope: 'openid offline',
      token_endpoint_auth_method: 'client_secret_post',
    })
    const cli = Bun.spawn(
      ['bun', MAIN, 'perform', 'device-code', '--client-id', String(client.client_id), '--client-secret', String(client.client_secret), '--endpoint', publicUrl, '--format', 'json'],
      { cwd: ROOT, env: cliEnv(), stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
    )
    const stderr = new OutputLines([cli.stderr])
    const stdout = new Response(cli.stdout).text()
    const complete = (await stderr.waitFor((line) => /^\s+(https:\/\/\S+)$/.exec(line)?.[1]))!
    const userCode = (await stderr.waitFor((line) => /enter the code (\S+)$/.exec(line)?.[1]))!
    expect(complete).toBe(`${PROD_ENV.URLS_SELF_ISSUER}/oauth2/device/verify?user_code=${userCode}`)

    const open = browser()
    const deviceApp = await open(complete)
    const challenge = deviceApp.searchParams.get('device_challenge')!
    const accepted = await adminCall('PUT', `/admin/oauth2/auth/requests/device/accept?device_challenge=${challenge}`, { user_code: userCode })
    const loginApp = await open(String(accepted.redirect_to))
    const login = await adminCall('PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginApp.searchParams.get('login_challenge')}`, { subject: 'tv-user' })
    const consentApp = await open(String(login.redirect_to))
    const consent = await adminCall('PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentApp.searchParams.get('consent_challenge')}`, {
      grant_scope: ['openid', 'offline'],
    })
    expect((await open(String(consent.redirect_to))).href).toBe(`https://login.test/device/done?client_id=${client.client_id}`)

    expect(await cli.exited).toBe(0)
    const tokens = JSON.parse(await stdout) as Record<string, string>
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'openid offline' })
    expect(tokens.refresh_token).toStartWith('ory_rt_')
    expect(tokens.id_token).toBeString()
    expect(stderr.text()).toContain('Signed in.')
    const introspected = await runCli(['introspect', 'token', tokens.access_token!, '--endpoint', adminUrl, '--format', 'json'])
    expect(JSON.parse(introspected.stdout)).toMatchObject({ active: true, sub: 'tv-user', client_id: client.client_id })
  })

  it('reports a refused device authorization in one line and exits 1', async () => {
    const client = await adminCall('POST', '/admin/clients', { grant_types: ['client_credentials'] })
    const r = await runCli(['perform', 'device-code', '--client-id', String(client.client_id), '--client-secret', String(client.client_secret), '-e', publicUrl])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`gatehouse: the server answered 400: The client is not authorized to request a token using this method. The OAuth 2.0 Client is not allowed to use authorization grant "${DEVICE_GRANT}".\n`)
    const missing = await runCli(['perform', 'device-code', '-e', publicUrl])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--client-id is required')
  })
})
