/**
 * A small test kit for plugin authors, imported as `gatehouse/plugin/testkit`: a whole Gatehouse (public and
 * admin API, in-memory SQLite, a clock the test moves) with your plugins loaded, driven without sockets.
 *
 * @packageDocumentation
 */
import { buildApp, type Apps } from './app.ts'
import { createCore } from './context.ts'
import { loadConfig } from './config/load.ts'
import { createLogger } from './log.ts'
import { migrate } from './store/migrate.ts'
import { SqlStore } from './store/sql/store.ts'
import { SqliteDriver } from './store/sqlite/driver.ts'
import { manualClock } from './util/clock.ts'
import type { Plugin } from './plugins/api.ts'
import { loadPlugins } from './plugins/loader.ts'

/**
 * One plugin to load, as a `plugins:` entry of the configuration would.
 * @example
 * ```ts
 * const entry: TestPlugin = { plugin: myPlugin, options: { tenant: 'acme' }, timeout: '1s' }
 * ```
 */
export interface TestPlugin {
  plugin: Plugin
  /** Checked against the plugin's schema, as at startup. */
  options?: unknown
  /** Time limit of each hook call (Go duration). Default 10s. */
  timeout?: string
}

/**
 * Options of {@link createTestGatehouse}.
 * @example
 * ```ts
 * const options: TestGatehouseOptions = { plugins: [{ plugin: myPlugin }], config: { 'strategies.access_token': 'jwt' } }
 * ```
 */
export interface TestGatehouseOptions {
  /** Plugins to load, in order. First-party plugins may be listed by name in `config.plugins` as well. */
  plugins?: TestPlugin[]
  /** Configuration keys by dotted path (`'oauth2.allowed_top_level_claims': ['tenant']`). */
  config?: Record<string, unknown>
}

/**
 * A client created through the admin API, with its secret.
 * @example
 * ```ts
 * const { client_id, client_secret }: TestClient = await gh.createClient()
 * ```
 */
export interface TestClient {
  client_id: string
  client_secret: string
  [field: string]: unknown
}

/**
 * A running test Gatehouse. Requests go straight to the apps (no ports).
 * @example
 * ```ts
 * const gh = await createTestGatehouse({ plugins: [{ plugin: myPlugin }] })
 * const client = await gh.createClient({ scope: 'read' })
 * const res = await gh.token({ grant_type: 'client_credentials', scope: 'read' }, client)
 * await gh.close()
 * ```
 */
export interface TestGatehouse {
  /** The issuer: `https://gatehouse.test`. */
  readonly issuer: string
  /** `fetch` for the public API; URLs are resolved against `http://localhost`, so paths work. */
  readonly publicFetch: (path: string, init?: RequestInit) => Promise<Response>
  /** `fetch` for the admin API. */
  readonly adminFetch: (path: string, init?: RequestInit) => Promise<Response>
  /** The server clock (epoch ms), which only moves when the test says so. */
  readonly clock: { now(): number; advance(ms: number): void }
  /** Every log line written so far, parsed. */
  readonly logs: Record<string, unknown>[]
  /** Creates a client (defaults: client_credentials, confidential) and returns it with its secret. */
  createClient(metadata?: Record<string, unknown>): Promise<TestClient>
  /** POSTs a form to the token endpoint, authenticated with client_secret_basic when a client is given. */
  token(form: Record<string, string>, client?: TestClient): Promise<Response>
  /** Admin introspection of a token. */
  introspect(token: string): Promise<Record<string, unknown> & { active: boolean }>
  /** Closes the store. */
  close(): Promise<void>
}

const TEST_SECRET = 'testkit-system-secret-0123456789'

const fetcher = (app: { handle(request: Request): Promise<Response> }) => (path: string, init?: RequestInit) =>
  app.handle(new Request(new URL(path, 'http://localhost').href, init))

/**
 * Starts a Gatehouse for a test with the given plugins loaded (their options checked as at startup; a
 * problem rejects with the same PluginError the server would stop with).
 * @example
 * ```ts
 * import { expect, it } from 'bun:test'
 * import { createTestGatehouse } from 'gatehouse/plugin/testkit'
 * import myPlugin from './plugins/my_plugin.ts'
 *
 * it('adds the tenant claim', async () => {
 *   const gh = await createTestGatehouse({ plugins: [{ plugin: myPlugin, options: { tenant: 'acme' } }] })
 *   const client = await gh.createClient()
 *   const { access_token } = await (await gh.token({ grant_type: 'client_credentials' }, client)).json()
 *   expect((await gh.introspect(access_token)).ext).toEqual({ tenant: 'acme' })
 *   await gh.close()
 * })
 * ```
 */
export async function createTestGatehouse(options: TestGatehouseOptions = {}): Promise<TestGatehouse> {
  const plugins = options.plugins ?? []
  const entries = plugins.map(({ plugin, options: o, timeout }) => ({
    name: plugin.name,
    ...(o === undefined ? {} : { options: o }),
    ...(timeout ? { timeout } : {}),
  }))
  const { plugins: configured = [], ...config } = options.config ?? {}
  const logs: Record<string, unknown>[] = []
  const store = new SqlStore(new SqliteDriver(':memory:'))
  await migrate(store.driver)
  const clock = manualClock()
  const core = createCore({
    config: loadConfig({
      overrides: {
        'urls.self.issuer': 'https://gatehouse.test',
        'secrets.system': [TEST_SECRET],
        'oauth2.hashers.pbkdf2.iterations': 1000,
        'keys.algorithms.id_token': 'ES256',
        'keys.algorithms.access_token': 'ES256',
        ...config,
        plugins: [...(configured as unknown[]), ...entries],
      },
    }),
    store,
    clock,
    logger: createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line)) }),
  })
  let app: Apps
  try {
    app = buildApp({ core, plugins: await loadPlugins(core, { catalog: plugins.map((p) => p.plugin) }) })
  } catch (err) {
    await store.close()
    throw err
  }
  const publicFetch = fetcher(app.publicApp)
  const adminFetch = fetcher(app.adminApp)
  return {
    issuer: app.ctx.issuer,
    publicFetch,
    adminFetch,
    clock: { now: () => clock(), advance: (ms) => clock.advance(ms) },
    logs,
    async createClient(metadata = {}) {
      const res = await adminFetch('/admin/clients', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_types: ['client_credentials'], response_types: ['none'], ...metadata }),
      })
      if (res.status !== 201) throw new Error(`creating the client failed: ${res.status} ${await res.text()}`)
      return (await res.json()) as TestClient
    },
    token(form, client) {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
      if (client) {
        const id = encodeURIComponent(client.client_id)
        headers.authorization = `Basic ${btoa(`${id}:${encodeURIComponent(client.client_secret)}`)}`
      }
      return publicFetch('/oauth2/token', { method: 'POST', headers, body: new URLSearchParams(form).toString() })
    },
    async introspect(token) {
      const res = await adminFetch('/admin/oauth2/introspect', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      })
      return (await res.json()) as Record<string, unknown> & { active: boolean }
    },
    close: () => store.close(),
  }
}
