import { expect } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Configuration, JwkApi, MetadataApi, OAuth2Api, type OAuth2Client } from '@ory/hydra-client'
import * as oauth from 'oauth4webapi'
import { buildApp, type Apps } from '../src/app.ts'
import { createCore } from '../src/context.ts'
import type { Logger } from '../src/log.ts'
import type { BackchannelOptions } from '../src/oidc/logout/backchannel.ts'
import { loadPlugins, type LoadPluginsOptions } from '../src/plugins/loader.ts'
import { loadConfig } from '../src/config/load.ts'
import type { Config } from '../src/config/schema.ts'
import type { HttpApp } from '../src/http/app_shell.ts'
import { migrate } from '../src/store/migrate.ts'
import { PostgresDriver } from '../src/store/postgres/driver.ts'
import { SqliteDriver } from '../src/store/sqlite/driver.ts'
import { SqlStore } from '../src/store/sql/store.ts'
import { manualClock } from '../src/util/clock.ts'

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL
export const TEST_SECRET = 'test-system-secret-0123456789'
export const ISSUER = 'https://gatehouse.test'

export interface StoreFactory {
  name: 'sqlite' | 'postgres'
  /** A fresh, migrated, empty store. */
  open(): Promise<SqlStore>
}

const cleanups: (() => Promise<void>)[] = []

const schemas = new Set<string>()

/** Closes everything tests opened and drops their PostgreSQL schemas; test/_setup.ts runs it after the whole run. */
export async function closeAll() {
  await Promise.all(cleanups.splice(0).map((fn) => fn().catch(() => {})))
  if (!schemas.size || !TEST_DATABASE_URL) return
  const admin = new PostgresDriver(TEST_DATABASE_URL, { max: 1 })
  const names = [...schemas]
  schemas.clear()
  for (let i = 0; i < names.length; i += 50) {
    await admin.exec(`DROP SCHEMA IF EXISTS ${names.slice(i, i + 50).join(', ')} CASCADE`).catch(() => {})
  }
  await admin.close()
}

/**
 * Runs `fn` when the file that opened a resource ends when possible, else at the end of the run. Pools close
 * idle connections after a second, so open stores do not exhaust PostgreSQL's connection limit meanwhile.
 */
function onCleanup(fn: () => Promise<void>) {
  cleanups.push(fn)
}

let schemaSeq = 0

/** A fresh migrated PostgreSQL store in its own schema (dropped after the file's tests). */
export async function openPostgres(url = TEST_DATABASE_URL!): Promise<SqlStore> {
  const schema = `gh_test_${process.pid}_${Date.now().toString(36)}_${schemaSeq++}`
  const admin = new PostgresDriver(url, { max: 1 })
  await admin.exec(`CREATE SCHEMA ${schema}`)
  await admin.close()
  schemas.add(schema)
  const store = new SqlStore(new PostgresDriver(url, { schema, max: 4, idleTimeout: 1 }))
  await migrate(store.driver)
  onCleanup(() => store.close())
  return store
}

export async function openSqlite(path = ':memory:'): Promise<SqlStore> {
  const store = new SqlStore(new SqliteDriver(path))
  await migrate(store.driver)
  onCleanup(() => store.close())
  return store
}

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export function storeFactories(): StoreFactory[] {
  const list: StoreFactory[] = [{ name: 'sqlite', open: () => openSqlite() }]
  if (TEST_DATABASE_URL) list.push({ name: 'postgres', open: () => openPostgres() })
  return list
}

/** Test configuration: production-like (https issuer, system secret) unless overridden. */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return loadConfig({
    overrides: {
      'urls.self.issuer': ISSUER,
      'secrets.system': [TEST_SECRET],
      'oauth2.hashers.pbkdf2.iterations': 1000,
      // Generated key sets: ES256 is fast; RSA-4096 (the default) takes seconds.
      'keys.algorithms.id_token': 'ES256',
      'keys.algorithms.access_token': 'ES256',
      ...overrides,
    },
  })
}

export interface TestServer extends Apps {
  store: SqlStore
  clock: ReturnType<typeof manualClock>
  /** fetch against the public API (no sockets). */
  publicFetch: typeof fetch
  /** fetch against the admin API (no sockets). */
  adminFetch: typeof fetch
  /** Ory's generated SDK, wired to the admin API. */
  hydra: { oauth2: OAuth2Api; jwk: JwkApi; metadata: MetadataApi }
}

export const PUBLIC_BASE = 'http://localhost:4444'
export const ADMIN_BASE = 'http://localhost:4445'

export function fetchOf(app: HttpApp): typeof fetch {
  const f = (input: string | URL | Request, init?: RequestInit) =>
    app.handle(input instanceof Request && !init ? input : new Request(input instanceof URL ? input.href : (input as string), init))
  return f as typeof fetch
}

export interface ServerDeps {
  logger?: Logger
  /** Back-channel logout delivery (fetch, scheduler, retries). */
  backchannel?: BackchannelOptions
  /** The plugins the config's `plugins:` list may name besides the first-party ones (as the server loads them). */
  plugins?: LoadPluginsOptions
}

/**
 * Builds the apps over a fresh store from `factory`, with a manual clock, as the server does: core services,
 * the configured plugins (a PluginError rejects), then the app.
 */
export async function startServer(
  factory: StoreFactory,
  configOverrides: Record<string, unknown> = {},
  deps: ServerDeps = {},
): Promise<TestServer> {
  const store = await factory.open()
  const clock = manualClock(Date.UTC(2026, 0, 1))
  const core = createCore({ config: testConfig(configOverrides), store, clock, ...(deps.logger ? { logger: deps.logger } : {}) })
  const plugins = await loadPlugins(core, deps.plugins)
  const apps = buildApp({ core, plugins, ...(deps.backchannel ? { backchannel: deps.backchannel } : {}) })
  const adminFetch = fetchOf(apps.adminApp)
  const sdk = new Configuration({
    basePath: ADMIN_BASE,
    baseOptions: { adapter: 'fetch', env: { fetch: adminFetch, Request, Response } },
  })
  return {
    ...apps,
    store,
    clock,
    publicFetch: fetchOf(apps.publicApp),
    adminFetch,
    hydra: { oauth2: new OAuth2Api(sdk), jwk: new JwkApi(sdk), metadata: new MetadataApi(sdk) },
  }
}

/** A JSON request to the admin API. */
export function admin(s: TestServer, method: string, path: string, body?: unknown): Promise<Response> {
  return s.adminFetch(`http://localhost${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
}

/** A client as the admin API created it: its id, its secret (none for a public client) and every other field. */
export type TestClient = OAuth2Client & Record<string, unknown> & { client_id: string; client_secret: string }

/**
 * Creates a client on the admin API and returns it as created. By default through Ory's SDK, as a confidential
 * client_credentials client that `body` overrides; with `raw`, `body` is POSTed as it is with fetch (the server's
 * defaults apply) and the answer must be 201.
 */
export async function createClient(
  s: TestServer,
  body: OAuth2Client | Record<string, unknown> = {},
  options: { raw?: boolean } = {},
): Promise<TestClient> {
  if (options.raw) {
    const res = await admin(s, 'POST', '/admin/clients', body)
    expect(res.status).toBe(201)
    return (await res.json()) as TestClient
  }
  const { data } = await s.hydra.oauth2.createOAuth2Client({
    oAuth2Client: { grant_types: ['client_credentials'], response_types: ['none'], ...body },
  })
  return data as TestClient
}

export const TOKEN_URL = 'http://localhost/oauth2/token'
export const REVOKE_URL = 'http://localhost/oauth2/revoke'
export const USERINFO_URL = 'http://localhost/userinfo'
export const INTROSPECT_URL = 'http://localhost/admin/oauth2/introspect'

/** `http://localhost/…` for an issuer URL, so that requests go into the app. */
export const local = (url: string) => url.replace(ISSUER, 'http://localhost')

/** An Authorization header for client_secret_basic: id and secret form-encoded, as RFC 6749 §2.3.1 asks. */
export const basic = (id: string, secret: string) => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`

/** POSTs a form to a public or admin URL. */
export function postForm(
  f: typeof fetch,
  url: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return f(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
  })
}

/** Status, `error` and `error_description` of an error response. */
export async function errorOf(res: Response): Promise<{ status: number; error: string; description: string }> {
  const body = (await res.json()) as { error: string; error_description: string }
  return { status: res.status, error: body.error, description: body.error_description }
}

/** RFC 7662 introspection on the admin API. */
export async function introspect(s: TestServer, token: string): Promise<Record<string, unknown> & { active: boolean }> {
  const res = await postForm(s.adminFetch, INTROSPECT_URL, { token })
  return (await res.json()) as Record<string, unknown> & { active: boolean }
}

/** The authorization server as oauth4webapi sees it, written by hand. */
export const AS: oauth.AuthorizationServer = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/oauth2/auth`,
  token_endpoint: `${ISSUER}/oauth2/token`,
  revocation_endpoint: `${ISSUER}/oauth2/revoke`,
  userinfo_endpoint: `${ISSUER}/userinfo`,
  jwks_uri: `${ISSUER}/.well-known/jwks.json`,
  authorization_response_iss_parameter_supported: true,
}

/** oauth4webapi options that route https://gatehouse.test to the public app. */
export const via = (s: TestServer) => ({
  [oauth.customFetch]: (url: string, init: RequestInit) => s.publicFetch(local(url), init),
})

/** oauth4webapi's view of a client; its clock follows the server's manual clock. */
export const rp = (s: TestServer, client: { client_id: string }, extra: Partial<oauth.Client> = {}): oauth.Client => ({
  client_id: client.client_id,
  id_token_signed_response_alg: s.ctx.config.keys.algorithms.id_token,
  [oauth.clockSkew]: Math.floor(s.clock() / 1000) - Math.floor(Date.now() / 1000),
  ...extra,
})

/** Several stores on one database, each with its own driver, as separate processes would have. */
export interface SharedStores {
  stores: SqlStore[]
  /** Releases the stores: closes them or empties the database for reuse; safe to call twice. */
  close(): Promise<void>
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
  return () => (done ??= fn())
}

/** A fresh, empty PostgreSQL schema, dropped by `drop()` or after the file's tests. */
export async function freshPostgresSchema(url = TEST_DATABASE_URL!): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `gh_test_${process.pid}_${Date.now().toString(36)}_${schemaSeq++}`
  const admin = new PostgresDriver(url, { max: 1 })
  try {
    await admin.exec(`CREATE SCHEMA ${schema}`)
  } finally {
    await admin.close()
  }
  schemas.add(schema)
  const drop = once(async () => {
    const dropper = new PostgresDriver(url, { max: 1 })
    await dropper.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await dropper.close()
    schemas.delete(schema)
  })
  return { schema, drop }
}

/** Stores on migrated schemas, emptied after use and kept for the next caller, by URL and count. */
const spareStores = new Map<string, SqlStore[][]>()

async function emptyTables(store: SqlStore) {
  const tables = await store.driver.all<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'`,
  )
  await store.driver.exec(tables.map((t) => `DELETE FROM ${t.name};`).join('\n'))
}

/**
 * `count` stores with separate pools on one migrated, empty PostgreSQL schema. Closing them empties the
 * schema and keeps stores and schema for the next caller (migrating a schema and opening connections cost
 * far more than emptying a few tables); everything is closed and dropped at the end of the run.
 */
export async function openSharedPostgres(count: number, url = TEST_DATABASE_URL!): Promise<SharedStores> {
  const key = `${count} ${url}`
  let stores = spareStores.get(key)?.pop()
  if (!stores) {
    const { schema } = await freshPostgresSchema(url)
    const opened = Array.from({ length: count }, () => new SqlStore(new PostgresDriver(url, { schema, max: 4, idleTimeout: 1 })))
    onCleanup(async () => {
      await Promise.all(opened.map((s) => s.close()))
    })
    await migrate(opened[0]!.driver)
    stores = opened
  }
  const taken = stores
  const close = once(async () => {
    await emptyTables(taken[0]!)
    spareStores.set(key, [...(spareStores.get(key) ?? []), taken])
  })
  return { stores: taken, close }
}

/** `count` stores with separate connections on one fresh, migrated SQLite file (WAL) in a temporary directory. */
export async function openSharedSqlite(count: number): Promise<SharedStores> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'))
  const stores = Array.from({ length: count }, () => new SqlStore(new SqliteDriver(join(dir, 'gatehouse.sqlite'))))
  const close = once(async () => {
    await Promise.all(stores.map((s) => s.close()))
    rmSync(dir, { recursive: true, force: true })
  })
  onCleanup(close)
  await migrate(stores[0]!.driver)
  return { stores, close }
}
