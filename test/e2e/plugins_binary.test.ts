import { beforeAll, describe, expect, it } from 'bun:test'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { basic } from '../_harness.ts'
import { binaryForSuite, listeningPorts, startBinary } from './_binary.ts'

// The compiled binary, alone in a temporary directory with its config and a plugin file beside it.
const suite = binaryForSuite()

const PATH_PLUGIN = `import { AccessDenied, definePlugin, Type } from 'gatehouse/plugin'

export default definePlugin({
  name: 'stamp',
  version: '1.0.0',
  options: Type.Object({ stamp: Type.String(), deny_client: Type.String({ default: '' }) }),
  setup(api) {
    api.hook('token.claims', (t) => {
      if (t.client.client_id === api.options.deny_client) throw AccessDenied.with({ hint: 'Stamped out.' })
      return { accessToken: { stamp: api.options.stamp } }
    })
  },
})
`

const JS_PLUGIN = `export default {
  name: 'plain-js',
  version: '1.0.0',
  setup(api) {
    api.grant({ grantType: 'urn:example:echo', params: [], clientAuth: 'required', handle: (req) => ({ subject: 'echo-' + req.client.client_id }) })
  },
}
`

beforeAll(async () => {
  await writeFile(join(suite.dir, 'stamp_plugin.ts'), PATH_PLUGIN)
  await writeFile(join(suite.dir, 'plain_plugin.js'), JS_PLUGIN)
  await writeFile(join(suite.dir, 'claims.json'), JSON.stringify({ svc: { department: 'billing' } }))
})

let configs = 0

/** Writes `config` beside the binary and starts `serve all --dev` with it, in memory, on free ports. */
async function start(config: string) {
  const path = join(suite.dir, `config-${configs++}.yaml`)
  await writeFile(path, config)
  const env = { DSN: 'memory', SERVE_PUBLIC_PORT: '0', SERVE_ADMIN_PORT: '0', LOG_FORMAT: 'json' }
  return startBinary(suite.bin, ['serve', 'all', '--dev', '-c', path], { cwd: suite.dir, env })
}

const form = (body: Record<string, string>, id: string, secret: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) },
  body: new URLSearchParams(body).toString(),
})

describe('plugins in the compiled binary', () => {
  it('runs bundled first-party plugins by name and loads .ts and .js plugin files by path', async () => {
    const { proc, output } = await start(`plugins:
  - name: claims-directory
    options: { file: ./claims.json, access_token: true }
  - token-exchange
  - path: ./stamp_plugin.ts
    options: { stamp: from-disk, deny_client: blocked }
  - path: ./plain_plugin.js
`)
    const p = await output.waitFor(listeningPorts())
    expect(p, output.text()).toBeDefined()
    const pub = `http://127.0.0.1:${p!.public}`
    const admin = `http://127.0.0.1:${p!.admin}`
    expect(output.lines.filter((l) => l.includes('"msg":"plugin loaded"'))).toHaveLength(4)

    const doc = (await (await fetch(`${pub}/.well-known/openid-configuration`)).json()) as { grant_types_supported: string[] }
    expect(doc.grant_types_supported).toEqual(
      expect.arrayContaining(['urn:ietf:params:oauth:grant-type:token-exchange', 'urn:example:echo']),
    )

    const create = (client_id: string) =>
      fetch(`${admin}/admin/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id, client_secret: 'a-long-secret', grant_types: ['client_credentials', 'urn:example:echo'], response_types: ['none'] }),
      })
    expect((await create('svc')).status).toBe(201)
    const res = await fetch(`${pub}/oauth2/token`, form({ grant_type: 'client_credentials' }, 'svc', 'a-long-secret'))
    expect(res.status).toBe(200)
    const { access_token } = (await res.json()) as { access_token: string }
    const info = await fetch(`${admin}/admin/oauth2/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: access_token }).toString(),
    })
    expect(((await info.json()) as { ext: unknown }).ext).toEqual({ department: 'billing', stamp: 'from-disk' })

    const echo = await fetch(`${pub}/oauth2/token`, form({ grant_type: 'urn:example:echo' }, 'svc', 'a-long-secret'))
    expect(echo.status).toBe(200)

    // An OAuthError thrown by a plugin file reaches the client as is.
    expect((await create('blocked')).status).toBe(201)
    const denied = await fetch(`${pub}/oauth2/token`, form({ grant_type: 'client_credentials' }, 'blocked', 'a-long-secret'))
    expect({ status: denied.status, error: ((await denied.json()) as { error: string }).error }).toEqual({ status: 403, error: 'access_denied' })

    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
  }, 60_000)

  it('refuses to start on invalid plugin options, naming the plugin and the path of each problem', async () => {
    const { proc, output } = await start(`plugins:
  - name: claims-directory
    options: { cache_ttl: -1, file: 7 }
  - path: ./stamp_plugin.ts
    options: {}
`)
    expect(await proc.exited).toBe(1)
    await output.waitFor(() => undefined)
    const text = output.text()
    expect(text).toContain('plugin \\"claims-directory\\"')
    expect(text).toContain('plugins.0.options.cache_ttl')
    expect(text).toContain('plugins.0.options.file')
    expect(text).toContain('plugin \\"stamp\\"')
    expect(text).toContain('plugins.1.options.stamp')
  }, 60_000)
})
