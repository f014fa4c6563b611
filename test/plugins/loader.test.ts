import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { definePlugin, Type, type PluginApi } from 'gatehouse/plugin'
import * as sdk from '../../src/plugins/api.ts'
import { loadConfig } from '../../src/config/load.ts'
import { PluginError } from '../../src/plugins/plugin_error.ts'
import { createClient, errorOf, introspect, startServer, storeFactories, type StoreFactory } from '../_harness.ts'
import { startWithPlugins, token } from './_plugins.ts'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-plugins-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// A plugin file outside the repository, as an operator would write it.
writeFileSync(
  join(dir, 'region_plugin.ts'),
  `import { AccessDenied, definePlugin, Type } from 'gatehouse/plugin'
import { label } from './label.ts'

export default definePlugin({
  name: 'region',
  version: '2.0.0',
  options: Type.Object({ region: Type.String(), deny: Type.Boolean({ default: false }) }),
  setup(api) {
    api.hook('token.claims', () => {
      if (api.options.deny) throw AccessDenied.with({ hint: 'Region closed.' })
      return { accessToken: { region: label(api.options.region) } }
    })
  },
})
`,
)
writeFileSync(join(dir, 'label.ts'), `export const label = (r: string): string => 'region:' + r\n`)
writeFileSync(join(dir, 'not_a_plugin.js'), `export default { hello: 'world' }\n`)

const setups: unknown[] = []
const configured = definePlugin({
  name: 'configured',
  version: '1.0.0',
  options: Type.Object({ ttl: Type.Integer({ minimum: 1, default: 30 }), mode: Type.Union([Type.Literal('a'), Type.Literal('b')]) }),
  setup(api) {
    setups.push(api.options)
  },
})
const bare = definePlugin({ name: 'bare', version: '1.0.0', setup() {} })
let leaked: PluginApi<undefined> | undefined
const leaking = definePlugin({
  name: 'leaking',
  version: '1.0.0',
  setup(api) {
    leaked = api
  },
})
const failing = definePlugin({
  name: 'failing',
  version: '1.0.0',
  setup() {
    throw new Error('no database')
  },
})
const hijacker = definePlugin({
  name: 'hijacker',
  version: '1.0.0',
  setup(api) {
    api.grant({ grantType: 'client_credentials', params: [], clientAuth: 'required', handle: () => ({ subject: 'x' }) })
  },
})
const catalog = [configured, bare, leaking, failing, hijacker]

async function loadError(factory: StoreFactory, plugins: unknown[], config: Record<string, unknown> = {}) {
  try {
    await startServer(factory, { plugins, ...config }, { plugins: { catalog, cwd: dir } })
  } catch (err) {
    expect(err).toBeInstanceOf(PluginError)
    return err as PluginError
  }
  throw new Error('loadPlugins did not fail')
}

for (const factory of storeFactories()) {
  describe(`plugin loading (${factory.name})`, () => {
    it('checks options against the schema, applies defaults, and reports every problem with plugin name and path', async () => {
      await startServer(factory, { plugins: [{ name: 'configured', options: { mode: 'b' } }] }, { plugins: { catalog } })
      expect(setups.at(-1)).toEqual({ ttl: 30, mode: 'b' })

      const err = await loadError(factory, [
        { name: 'configured', options: { ttl: 0, mode: 'c' } },
        { name: 'bare', options: { x: 1 } },
      ])
      expect(err.code).toBe('ERR_PLUGIN_OPTIONS')
      expect(err.problems).toHaveLength(2)
      expect(err.problems[0]).toStartWith('plugin "configured": ')
      expect(err.problems[0]).toContain('plugins.0.options.ttl: Expected integer to be greater or equal to 1')
      expect(err.problems[0]).toContain('plugins.0.options.mode: ')
      expect(err.problems[1]).toBe('plugins.1.options: plugin "bare" takes no options')
      expect(err.message).toContain('plugins.0.options.ttl')
    })

    it('refuses unknown names, entries with both or neither of name and path, and bad webhook URLs', async () => {
      const err = await loadError(factory, ['nope', { name: 'bare', path: './x.ts' }, { options: {} }], {
        'oauth2.token_hook': 'ftp://hooks.test',
      })
      expect(err.code).toBe('ERR_PLUGIN_INVALID')
      expect(err.problems).toEqual([
        'oauth2.token_hook: must be an http or https URL',
        expect.stringMatching(/^plugins\.0: unknown plugin "nope" \(available: .*configured, bare/),
        'plugins.1: give either name (a first-party plugin) or path (a plugin file)',
        'plugins.2: give either name (a first-party plugin) or path (a plugin file)',
      ])
    })

    it('dedupes entries with the same name and options, in any key order', async () => {
      const before = setups.length
      const s = await startServer(factory, {
        plugins: [
          { name: 'configured', options: { mode: 'a', ttl: 5 } },
          { name: 'configured', options: { ttl: 5, mode: 'a' } },
          { name: 'configured', options: { ttl: 6, mode: 'a' } },
        ],
      }, { plugins: { catalog } })
      const installed = s.ctx.plugins.installed
      expect(installed.map((p) => p.name)).toEqual(['configured', 'configured'])
      expect(setups.length - before).toBe(2)
    })

    it('stops at a setup that throws, naming the plugin', async () => {
      const err = await loadError(factory, ['bare', 'failing'])
      expect(err.code).toBe('ERR_PLUGIN_SETUP')
      expect(err.problems).toEqual(['plugins.1 (plugin "failing"): setup failed: no database'])
    })

    it('refuses a grant type that is already registered', async () => {
      const err = await loadError(factory, ['hijacker'])
      expect(err.problems).toEqual(['plugins.0 (plugin "hijacker"): setup failed: grant type "client_credentials" is already registered'])
    })

    it('only registers during setup', async () => {
      const s = await startServer(factory, { plugins: ['leaking'] }, { plugins: { catalog } })
      expect(() => leaked!.hook('token.claims', () => undefined)).toThrow('only available during setup')
      expect(s.ctx.plugins.claimsHooks).toHaveLength(0)
    })

    it('loads a plugin file by path (relative to the working directory) that imports gatehouse/plugin', async () => {
      const s = await startWithPlugins(factory, [], { plugins: [{ path: join(dir, 'region_plugin.ts'), options: { region: 'eu' } }] })
      expect(s.ctx.plugins.installed).toEqual([{ name: 'region', version: '2.0.0', source: join(dir, 'region_plugin.ts') }])
      const client = await createClient(s)
      const res = await token(s, { grant_type: 'client_credentials' }, client)
      expect((await introspect(s, ((await res.json()) as { access_token: string }).access_token)).ext).toEqual({ region: 'region:eu' })

      // Its OAuthError is the core's class: it reaches the client as is.
      const d = await startServer(factory, { plugins: [{ path: './region_plugin.ts', options: { region: 'eu', deny: true } }] }, { plugins: { cwd: dir } })
      const denied = await token(d, { grant_type: 'client_credentials' }, await createClient(d))
      expect(await errorOf(denied)).toMatchObject({ status: 403, error: 'access_denied', description: expect.stringContaining('Region closed.') })
    })

    it('refuses plugin files that are missing or export no plugin', async () => {
      const err = await loadError(factory, [{ path: './missing.ts' }, { path: './not_a_plugin.js' }, { path: './region_plugin.ts' }])
      expect(err.problems[0]).toStartWith(`plugins.0: cannot import ${join(dir, 'missing.ts')}`)
      expect(err.problems[1]).toBe(`plugins.1: ${join(dir, 'not_a_plugin.js')} must export a plugin made by definePlugin() as its default export`)
      expect(err.problems[2]).toContain('plugins.2.options.region: Expected required property')
    })
  })
}

describe('the plugin SDK', () => {
  it('is what gatehouse/plugin resolves to', async () => {
    const viaPackage = await import('gatehouse/plugin')
    expect(viaPackage.OAuthError).toBe(sdk.OAuthError)
    expect(viaPackage.definePlugin).toBe(sdk.definePlugin)
  })

  it('types setup options from the schema', () => {
    definePlugin({
      name: 'typed',
      version: '1.0.0',
      options: Type.Object({ n: Type.Number() }),
      setup(api) {
        const n: number = api.options.n
        // @ts-expect-error options are typed by the schema
        const s: string = api.options.n
        void n
        void s
      },
    })
  })

  it('reads PLUGINS from the environment as a list of names', () => {
    const config = loadConfig({ env: { PLUGINS: 'claims-directory,first-party-consent' }, overrides: { dev: true } })
    expect(config.plugins).toEqual(['claims-directory', 'first-party-consent'])
  })
})
