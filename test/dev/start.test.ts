import { afterAll, describe, expect, it } from 'bun:test'
import pkg from '../../package.json' with { type: 'json' }
import { HttpAgent } from './_demo.ts'
import { formFields, textOf, unescape } from './_pages.ts'
import { devEnv, freePorts, killDev, MAIN, OutputLines, ROOT, startDev, stopDev, verifyTokens } from '../_harness.ts'

afterAll(killDev)

const action = (html: string) => unescape(/<form method="post" action="([^"]*)"/.exec(html)![1]!)

describe('bun start (serve all --dev)', () => {
  it('prints a demo client and an authorize URL that completes through the built-in pages to verified tokens', async () => {
    expect(pkg.scripts.start).toBe('bun src/main.ts serve all --dev')
    const dev = await startDev(['bun', MAIN, 'serve', 'all', '--dev'], { cwd: ROOT })
    expect(dev.clientId).toBe('gatehouse-demo')
    const url = new URL(dev.authorizeUrl)
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(url.searchParams.get('nonce')).toBeTruthy()
    expect(url.searchParams.get('state')).toBeTruthy()

    const agent = new HttpAgent()
    const login = await agent.visit(dev.authorizeUrl)
    expect(new URL(login.url).pathname).toBe('/oauth2/fallbacks/login')
    const consent = await agent.visit(action(login.html), { ...formFields(login.html), username: 'heidi', action: 'accept' })
    expect(new URL(consent.url).pathname).toBe('/oauth2/fallbacks/consent')
    const done = await agent.visit(action(consent.html), { ...formFields(consent.html), action: 'allow' })
    expect(new URL(done.url).pathname).toBe('/oauth2/fallbacks/callback')
    expect(done.res.status).toBe(200)

    const tokens = { access_token: textOf(done.html, 'access_token')!, id_token: textOf(done.html, 'id_token')!, refresh_token: textOf(done.html, 'refresh_token')! }
    await verifyTokens(dev, tokens, { sub: 'heidi' })

    // The printed secret authenticates the printed client.
    const refreshed = await fetch(`${dev.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${dev.clientId}:${dev.clientSecret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    })
    expect(refreshed.status).toBe(200)
    expect(await stopDev(dev)).toBe(0)
  }, 60_000)

  it('prints no demo when the public port is only chosen at start', async () => {
    const env = devEnv([0, 0])
    const proc = Bun.spawn(['bun', MAIN, 'serve', 'all', '--dev'], { cwd: ROOT, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
    const output = new OutputLines([proc.stdout, proc.stderr])
    try {
      expect(await output.waitFor((line) => (line.includes('no development demo') ? line : undefined))).toContain('"level":"warn"')
      await output.waitFor((line) => (line.includes('"msg":"listening"') && line.includes('"api":"admin"') ? true : undefined))
    } finally {
      proc.kill('SIGTERM')
    }
    expect(await proc.exited).toBe(0)
    await output.waitFor(() => undefined)
    expect(output.text()).not.toContain('/oauth2/auth?')
  }, 60_000)

  it('prints no demo when the operator names a login app', async () => {
    const ports = freePorts()
    const env = devEnv(ports, { URLS_LOGIN: 'https://login.example/login' })
    const proc = Bun.spawn(['bun', MAIN, 'serve', 'all', '--dev'], { cwd: ROOT, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
    const output = new OutputLines([proc.stdout, proc.stderr])
    try {
      await output.waitFor((line) => (line.includes('"msg":"listening"') && line.includes('"api":"admin"') ? true : undefined))
      expect((await fetch(`http://localhost:${ports[0]}/oauth2/fallbacks/login?login_challenge=x`)).status).toBe(404)
    } finally {
      proc.kill('SIGTERM')
    }
    expect(await proc.exited).toBe(0)
    await output.waitFor(() => undefined)
    expect(output.text()).not.toContain('/oauth2/auth?')
    expect(output.text()).not.toContain('gatehouse-demo')
  }, 60_000)
})
