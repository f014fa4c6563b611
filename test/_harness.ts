import { afterAll, expect } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Configuration, JwkApi, MetadataApi, OAuth2Api, OidcApi, type OAuth2Client } from '@ory/hydra-client'
import * as oauth from 'oauth4webapi'
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose'
import { buildApp, type Apps } from '../src/app.ts'
import { createCore } from '../src/context.ts'
import { createLogger, type Logger, type LogLevel } from '../src/log.ts'
import type { BackchannelOptions, Scheduler } from '../src/oidc/logout/backchannel.ts'
import { mintAuthorizationCode } from '../src/oauth2/authorization_code.ts'
import type { AuthorizeSession } from '../src/oauth2/authorize_session.ts'
import { loadPlugins, type LoadPluginsOptions } from '../src/plugins/loader.ts'
import { loadConfig } from '../src/config/load.ts'
import type { Config } from '../src/config/schema.ts'
import type { HttpApp } from '../src/http/app_shell.ts'
import { OAuthError } from '../src/protocol/errors.ts'
import { migrate } from '../src/store/migrate.ts'
import { PostgresDriver } from '../src/store/postgres/driver.ts'
import { SqliteDriver } from '../src/store/sqlite/driver.ts'
import { SqlStore } from '../src/store/sql/store.ts'
import { TOKEN_TABLES } from '../src/store/sql/tokens.ts'
import type { DeviceCodeRow, TokenKind } from '../src/store/types.ts'
import { manualClock } from '../src/util/clock.ts'

// Helpers that the tests of more than one unit share; a helper that only one folder uses stays there as `_name.ts`.
// Stores and in-process servers first.

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
  const { schema } = await freshPostgresSchema(url)
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
  /** Ory's generated SDK, wired to the admin API (and, for `oidc`, to the public API). */
  hydra: { oauth2: OAuth2Api; jwk: JwkApi; metadata: MetadataApi; oidc: OidcApi }
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
  const publicFetch = fetchOf(apps.publicApp)
  const sdkOf = (basePath: string, f: typeof fetch) =>
    new Configuration({ basePath, baseOptions: { adapter: 'fetch', env: { fetch: f, Request, Response } } })
  const sdk = sdkOf(ADMIN_BASE, adminFetch)
  return {
    ...apps,
    store,
    clock,
    publicFetch,
    adminFetch,
    hydra: { oauth2: new OAuth2Api(sdk), jwk: new JwkApi(sdk), metadata: new MetadataApi(sdk), oidc: new OidcApi(sdkOf(PUBLIC_BASE, publicFetch)) },
  }
}

/** Ory's generated SDK for the public API (OidcApi: discovery, userinfo, verifiable credentials), as apps call it. */
export function publicOidcApi(s: TestServer): OidcApi {
  return new OidcApi(new Configuration({ basePath: PUBLIC_BASE, baseOptions: { adapter: 'fetch', env: { fetch: s.publicFetch, Request, Response } } }))
}

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

// Clients, requests and what the answers say.

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

export interface ErrorBody {
  error: string
  error_description: string
}

/** Asserts an error response: its exact status and `error`, and (optionally) a part of its description, which it returns. */
export async function expectError(res: Response, status: number, error: string, describes?: string | RegExp): Promise<string> {
  const body = (await res.json()) as Partial<ErrorBody>
  expect({ status: res.status, error: body.error }).toEqual({ status, error })
  if (describes) expect(body.error_description).toMatch(describes)
  return body.error_description ?? ''
}

/** The OAuthError a call that must fail rejects with (asserting that it is one). */
export async function rejectionOf(p: Promise<unknown>): Promise<OAuthError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(OAuthError)
  return err as OAuthError
}

/** The status and body of an SDK call that must fail (axios rejects every non-2xx answer). */
export async function sdkError(call: Promise<unknown>): Promise<{ status: number; body: Partial<ErrorBody> & Record<string, unknown> }> {
  try {
    await call
  } catch (err) {
    const response = (err as { response?: { status: number; data: Partial<ErrorBody> & Record<string, unknown> } }).response
    if (!response) throw err
    return { status: response.status, body: response.data }
  }
  throw new Error('expected the call to fail')
}

/** Rows in a table of the server's store. */
export async function rows(s: TestServer, table: string): Promise<number> {
  const [row] = await s.store.driver.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`)
  return Number(row!.n)
}

/** How many tokens of a kind the store holds or, given a client id, were issued to that client. */
export async function tokenCount(s: TestServer, kind: TokenKind = 'access_token', clientId?: string): Promise<number> {
  if (clientId === undefined) return s.store.tokens.count(kind)
  const found = await s.store.driver.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TOKEN_TABLES[kind]} WHERE client_id = $1`, [clientId])
  return Number(found[0]?.n ?? 0)
}

/** A logger that keeps every line it writes, as written and parsed, to assert what was logged. */
export function memoryLogger(level: LogLevel = 'debug'): { logger: Logger; lines: string[]; entries: Record<string, unknown>[] } {
  const lines: string[] = []
  const entries: Record<string, unknown>[] = []
  const write = (line: string) => {
    lines.push(line)
    entries.push(JSON.parse(line))
  }
  return { logger: createLogger({ level, write }), lines, entries }
}

// The authorization code flow through a browser: login and consent apps at login.test driven through Ory's SDK.

export const LOGIN_URL = 'https://login.test/login'
export const CONSENT_URL = 'https://login.test/consent'
export const REDIRECT_URI = 'https://client.test/cb'

/** A server whose login and consent apps live at login.test (driven by the tests through Ory's SDK). */
export const startFlowServer = (factory: StoreFactory, overrides: Record<string, unknown> = {}) =>
  startServer(factory, { 'urls.login': LOGIN_URL, 'urls.consent': CONSENT_URL, ...overrides })

/** A client of the code flow as created: its id, its secret (none for a public client) and every other field. */
export type CodeClient = OAuth2Client & { client_id: string; client_secret: string }

/** A confidential authorization_code client (client_secret_basic) created through Ory's SDK. */
export async function createCodeClient(s: TestServer, body: OAuth2Client = {}): Promise<CodeClient> {
  const { data } = await s.hydra.oauth2.createOAuth2Client({
    oAuth2Client: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid offline_access profile email',
      ...body,
    },
  })
  return data as CodeClient
}

/** A user agent: a cookie jar over the public API, redirects not followed. */
export class Browser {
  readonly cookies = new Map<string, string>()
  readonly #s: TestServer
  constructor(s: TestServer) {
    this.#s = s
  }

  /** GET (or POST a form to) an issuer URL, sending and storing cookies. */
  async open(url: string, form?: Record<string, string> | string): Promise<Response> {
    const headers: Record<string, string> = {}
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (cookie) headers.cookie = cookie
    const init: RequestInit = { headers, redirect: 'manual' }
    if (form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      init.method = 'POST'
      init.body = typeof form === 'string' ? form : new URLSearchParams(form).toString()
    }
    const res = await this.#s.publicFetch(local(url), init)
    this.store(res)
    return res
  }

  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq)
      if (/Max-Age=0(;|$)/.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, pair!.slice(eq + 1))
    }
  }
}

/** The authorization URL of a request, `params` on top of the usual ones. */
export function authorizeUrl(client: { client_id: string }, params: Record<string, string | undefined> = {}): string {
  const url = new URL(`${ISSUER}/oauth2/auth`)
  const all: Record<string, string | undefined> = {
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state: 'state-0123456789',
    ...params,
  }
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v)
  return url.href
}

/** The Location of a redirect, asserting it is one. */
export function locationOf(res: Response): URL {
  if (res.status !== 302) throw new Error(`expected a redirect, got ${res.status}`)
  return new URL(res.headers.get('location')!)
}

/** The challenge in a redirect to the login or consent app. */
export function challengeOf(res: Response, kind: 'login' | 'consent'): string {
  const url = locationOf(res)
  const expected = kind === 'login' ? LOGIN_URL : CONSENT_URL
  if (`${url.origin}${url.pathname}` !== expected) throw new Error(`expected the ${kind} app, got ${url.href}`)
  return url.searchParams.get(`${kind}_challenge`)!
}

export interface FlowOptions {
  login?: { subject?: string; remember?: boolean; remember_for?: number; acr?: string; amr?: string[]; context?: unknown; extend_session_lifespan?: boolean; force_subject_identifier?: string }
  consent?: { grant_scope?: string[]; grant_access_token_audience?: string[]; remember?: boolean; remember_for?: number; session?: { id_token?: object; access_token?: object } }
}

/** Login app: accepts the login challenge of `res` and follows the redirect back to the authorization endpoint. */
export async function acceptLogin(s: TestServer, b: Browser, res: Response, login: FlowOptions['login'] = {}): Promise<Response> {
  const challenge = challengeOf(res, 'login')
  const { data } = await s.hydra.oauth2.acceptOAuth2LoginRequest({
    loginChallenge: challenge,
    acceptOAuth2LoginRequest: { subject: 'alice', ...login },
  })
  return b.open(data.redirect_to)
}

/** Consent app: grants what was requested (or `consent`) and follows the redirect back. */
export async function acceptConsent(s: TestServer, b: Browser, res: Response, consent: FlowOptions['consent'] = {}): Promise<Response> {
  const challenge = challengeOf(res, 'consent')
  const { data: request } = await s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challenge })
  const { data } = await s.hydra.oauth2.acceptOAuth2ConsentRequest({
    consentChallenge: challenge,
    acceptOAuth2ConsentRequest: {
      grant_scope: request.requested_scope,
      grant_access_token_audience: request.requested_access_token_audience,
      ...consent,
    },
  })
  return b.open(data.redirect_to)
}

/** Runs a whole flow from the authorization URL to the client's redirect, accepting login and consent. */
export async function runFlow(s: TestServer, b: Browser, url: string, options: FlowOptions = {}): Promise<Response> {
  const login = await b.open(url)
  const consent = await acceptLogin(s, b, login, options.login)
  return acceptConsent(s, b, consent, options.consent)
}

/** The parameters of an authorization response redirect (query or fragment). */
export function responseParams(res: Response): URLSearchParams {
  const url = locationOf(res)
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams
}

/** Asserts the headers every redirect and HTML page of the browser-facing endpoints carries. */
export function securityHeadersOf(res: Response) {
  return {
    'cache-control': res.headers.get('cache-control'),
    'referrer-policy': res.headers.get('referrer-policy'),
    'x-frame-options': res.headers.get('x-frame-options'),
    frameAncestors: /(^|;)\s*frame-ancestors 'none'/.test(res.headers.get('content-security-policy') ?? ''),
  }
}

export const SECURE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', frameAncestors: true }

/** Error code and description shown by the built-in error page. */
export async function errorPageOf(res: Response): Promise<{ status: number; error: string; description: string }> {
  const html = await res.text()
  const text = (s = '') => s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!)
  const error = text(/<code>([^<]*)<\/code>/.exec(html)?.[1])
  const description = text(/<\/code><\/p><p>([^<]*)<\/p>/.exec(html)?.[1])
  return { status: res.status, error, description }
}

// Authorization codes minted as the authorization endpoint would once consent is given, without the browser.

/** The server's published keys (its JWKS document), as a relying party resolves them. */
export async function publishedKeys(s: TestServer) {
  const jwks = (await (await s.publicFetch('http://localhost/.well-known/jwks.json')).json()) as Parameters<typeof createLocalJWKSet>[0]
  return createLocalJWKSet(jwks)
}

/** Where the clients of codes minted by `issueCode` redirect to. */
export const MINT_REDIRECT_URI = 'http://localhost/cb'

/** A client for codes minted by `issueCode` rather than the browser flow: redirects to MINT_REDIRECT_URI, may ask for `offline`. */
export const createMintClient = (s: TestServer, body: OAuth2Client = {}): Promise<CodeClient> =>
  createCodeClient(s, { redirect_uris: [MINT_REDIRECT_URI], scope: 'openid offline_access offline profile email', ...body })

const clientAuth = (client: CodeClient): oauth.ClientAuth =>
  client.token_endpoint_auth_method === 'none' ? oauth.None() : oauth.ClientSecretBasic(client.client_secret)

/** What a login + consent would have produced, with test defaults. */
function authorizeSession(s: TestServer, overrides: Partial<AuthorizeSession> = {}): AuthorizeSession {
  const now = Math.floor(s.clock() / 1000)
  return {
    redirect_uri: MINT_REDIRECT_URI,
    effective_redirect_uri: MINT_REDIRECT_URI,
    code_challenge: null,
    code_challenge_method: null,
    nonce: null,
    subject: 'alice',
    force_subject_identifier: null,
    sid: 'login-session-1',
    auth_time: now - 60,
    requested_at: now - 30,
    acr: '',
    amr: [],
    id_token_claims: {},
    access_token_claims: {},
    consent_request_id: `consent-${randomBytes(8).toString('hex')}`,
    ...overrides,
  }
}

export interface CodeOptions {
  scope?: string[]
  audience?: string[]
  session?: Partial<AuthorizeSession>
}

/** Mints a code as the authorization endpoint would once consent is given. */
export async function issueCode(s: TestServer, client: { client_id: string }, opts: CodeOptions = {}): Promise<string> {
  const record = await s.ctx.clients.get(client.client_id)
  if (!record) throw new Error(`no client ${client.client_id}`)
  const scope = opts.scope ?? ['openid', 'offline_access']
  const audience = opts.audience ?? []
  return mintAuthorizationCode(s.ctx, {
    client: record.client,
    granted_scope: scope,
    granted_audience: audience,
    requested_scope: scope,
    requested_audience: audience,
    session: authorizeSession(s, opts.session),
  })
}

/** The authorization response's parameters as oauth4webapi validates them. */
export const callback = (client: { client_id: string }, code: string) =>
  oauth.validateAuthResponse(AS, { client_id: client.client_id }, new URL(`${MINT_REDIRECT_URI}?code=${code}&iss=${encodeURIComponent(ISSUER)}`), oauth.skipStateCheck)

export interface RedeemOptions {
  verifier?: string
  nonce?: string
  redirectUri?: string
}

/** Redeems a code with oauth4webapi, which validates the response and its ID token (nonce, at_hash, …). */
export async function redeem(s: TestServer, client: CodeClient, code: string, opts: RedeemOptions = {}): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.authorizationCodeGrantRequest(
    AS,
    rp(s, client),
    clientAuth(client),
    callback(client, code),
    opts.redirectUri ?? MINT_REDIRECT_URI,
    opts.verifier ?? oauth.nopkce,
    via(s),
  )
  return oauth.processAuthorizationCodeResponse(AS, rp(s, client), res, { expectedNonce: opts.nonce ?? oauth.expectNoNonce })
}

/** Refreshes with oauth4webapi. */
export async function refresh(s: TestServer, client: CodeClient, token: string, params: Record<string, string> = {}): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.refreshTokenGrantRequest(AS, rp(s, client), clientAuth(client), token, { ...via(s), additionalParameters: params })
  return oauth.processRefreshTokenResponse(AS, rp(s, client), res)
}

/** Verifies a JWT against the published JWKS and returns its claims. */
export async function verifyJwt(s: TestServer, jwt: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(jwt, await publishedKeys(s), { issuer: ISSUER, currentDate: new Date(s.clock()) })
  return payload
}

// Logout: the logout app at login.test, end session, and back-channel receivers on 127.0.0.1.

export const LOGOUT_URL = 'https://login.test/logout'
export const POST_LOGOUT_URL = 'https://login.test/signed-out'
export const RP_LOGGED_OUT = 'https://client.test/logged-out'
export const END_SESSION = `${ISSUER}/oauth2/sessions/logout`

/** A scheduler driven by the test: nothing runs until asked, and every delay is recorded. */
export class ManualScheduler {
  readonly queue: { delayMs: number; task: () => Promise<void> }[] = []
  readonly schedule: Scheduler = (delayMs, task) => {
    this.queue.push({ delayMs, task })
  }

  /** Runs the queued tasks, including those they queue, until none is left; returns their delays in order. */
  async drain(): Promise<number[]> {
    const delays: number[] = []
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      delays.push(next.delayMs)
      await next.task()
    }
    return delays
  }
}

export interface LogoutServer extends TestServer {
  scheduler: ManualScheduler
}

/** A server with login, consent and logout apps at login.test and a manual back-channel scheduler. */
export async function startLogoutServer(factory: StoreFactory, overrides: Record<string, unknown> = {}): Promise<LogoutServer> {
  const scheduler = new ManualScheduler()
  const config: Record<string, unknown> = {
    'urls.login': LOGIN_URL,
    'urls.consent': CONSENT_URL,
    'urls.logout': LOGOUT_URL,
    'urls.post_logout_redirect': POST_LOGOUT_URL,
    ...overrides,
  }
  // null leaves a URL unconfigured.
  for (const [key, value] of Object.entries(config)) if (value === null) delete config[key]
  const s = await startServer(factory, config, { backchannel: { schedule: scheduler.schedule, backoffMs: 1000 } })
  return { ...s, scheduler }
}

export interface ReceivedLogout {
  contentType: string | null
  params: URLSearchParams
}

/** A relying party's back-channel logout endpoint: a real HTTP server on 127.0.0.1 answering `statuses` in turn, then 200. */
export class Receiver {
  readonly calls: ReceivedLogout[] = []
  readonly #statuses: number[]
  readonly #server: ReturnType<typeof Bun.serve>

  constructor(statuses: number[] = []) {
    this.#statuses = [...statuses]
    this.#server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: async (request) => {
        this.calls.push({ contentType: request.headers.get('content-type'), params: new URLSearchParams(await request.text()) })
        return new Response(null, { status: this.#statuses.shift() ?? 200 })
      },
    })
  }

  get url(): string {
    return `http://127.0.0.1:${this.#server.port}/backchannel-logout`
  }

  stop() {
    void this.#server.stop(true)
  }
}

/** A client with front- and back-channel logout and a post-logout redirect URI. */
export function createLogoutClient(s: TestServer, body: OAuth2Client = {}): Promise<CodeClient> {
  return createCodeClient(s, { post_logout_redirect_uris: [RP_LOGGED_OUT], ...body })
}

export interface SignedIn {
  idToken: string
  accessToken: string
  refreshToken: string | undefined
  sid: string
  claims: JWTPayload
}

/** Logs `b` in through the real authorization endpoint (remembered session) and redeems the code with oauth4webapi. */
export async function signIn(s: TestServer, b: Browser, client: CodeClient, options: FlowOptions = {}): Promise<SignedIn> {
  const url = authorizeUrl(client, { scope: 'openid offline_access' })
  const res = await runFlow(s, b, url, { login: { remember: true, ...options.login }, ...(options.consent && { consent: options.consent }) })
  const relyingParty = rp(s, client)
  const params = oauth.validateAuthResponse(AS, relyingParty, locationOf(res), 'state-0123456789')
  const auth = oauth.ClientSecretBasic(client.client_secret!)
  const tokenRes = await oauth.authorizationCodeGrantRequest(AS, relyingParty, auth, params, REDIRECT_URI, oauth.nopkce, via(s))
  const tokens = await oauth.processAuthorizationCodeResponse(AS, relyingParty, tokenRes)
  const claims = decodeJwt(tokens.id_token!)
  return { idToken: tokens.id_token!, accessToken: tokens.access_token, refreshToken: tokens.refresh_token, sid: claims.sid as string, claims }
}

/** The end-session URL with `params`. */
export function endSessionUrl(params: Record<string, string> = {}): string {
  const url = new URL(END_SESSION)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return url.href
}

/** The logout challenge of a redirect to the logout app. */
export function logoutChallengeOf(res: Response): string {
  const url = locationOf(res)
  expect(`${url.origin}${url.pathname}`).toBe(LOGOUT_URL)
  return url.searchParams.get('logout_challenge')!
}

/** Verifies a logout token with the published keys, as a relying party would. */
export async function verifyLogoutToken(s: TestServer, token: string, clientId: string) {
  return jwtVerify(token, await publishedKeys(s), {
    issuer: ISSUER,
    audience: clientId,
    typ: 'logout+jwt',
    currentDate: new Date(s.clock()),
    requiredClaims: ['iat', 'exp', 'jti', 'events', 'sid'],
  })
}

/** A factory of back-channel receivers for one test file; every receiver it made is stopped after the file. */
export function receiverFactory(): (statuses?: number[]) => Receiver {
  const made: Receiver[] = []
  afterAll(() => made.forEach((r) => r.stop()))
  return (statuses: number[] = []) => {
    const r = new Receiver(statuses)
    made.push(r)
    return r
  }
}

// The device authorization grant (RFC 8628): the device verification app at login.test, oauth4webapi as the device.

export const DEVICE_VERIFICATION_URL = 'https://login.test/device'
export const DEVICE_DONE_URL = 'https://login.test/device/done'
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export const DEVICE_AUTH_URL = 'http://localhost/oauth2/device/auth'

/** The authorization server as oauth4webapi's device functions see it. */
export const DEVICE_AS: oauth.AuthorizationServer = { ...AS, device_authorization_endpoint: `${ISSUER}/oauth2/device/auth` }

/** A server whose login, consent and device verification apps live at login.test. */
export const startDeviceServer = (factory: StoreFactory, overrides: Record<string, unknown> = {}) =>
  startFlowServer(factory, { 'urls.device.verification': DEVICE_VERIFICATION_URL, 'urls.device.success': DEVICE_DONE_URL, ...overrides })

/** A confidential client (client_secret_basic) of the device grant and refresh tokens, created through Ory's SDK. */
export async function createDeviceClient(s: TestServer, body: OAuth2Client = {}): Promise<CodeClient> {
  const { data } = await s.hydra.oauth2.createOAuth2Client({
    oAuth2Client: {
      grant_types: [DEVICE_GRANT, 'refresh_token'],
      response_types: ['none'],
      scope: 'openid offline offline_access profile',
      audience: ['https://api.test'],
      ...body,
    },
  })
  return data as CodeClient
}

/** How oauth4webapi authenticates a client: Basic, or only its client_id for a public one. */
export const clientAuthOf = (client: CodeClient): oauth.ClientAuth =>
  client.token_endpoint_auth_method === 'none' ? oauth.None() : oauth.ClientSecretBasic(client.client_secret)

/** A pending device authorization row, stored as the device authorization endpoint stores one. */
export function deviceRow(signature: string, over: Partial<DeviceCodeRow> = {}): DeviceCodeRow {
  const requestedAt = over.requested_at ?? Date.UTC(2026, 0, 1)
  return {
    signature,
    user_code_signature: `uc-${signature}`,
    request_id: `req-${signature}`,
    client_id: 'client-1',
    requested_scope: ['openid', 'offline_access'],
    requested_audience: ['https://api.example'],
    user_code_state: 'pending',
    subject: '',
    granted_scope: [],
    granted_audience: [],
    session_data: '',
    flow_id: null,
    active: true,
    used_times: 0,
    poll_interval: 5000,
    last_polled_at: null,
    requested_at: requestedAt,
    expires_at: requestedAt + 600_000,
    ...over,
  }
}

/** Ory's SDK wired to the public API (Hydra's oAuth2DeviceFlow and performOAuth2DeviceVerificationFlow live there). */
export function publicOAuth2Api(s: TestServer): OAuth2Api {
  return new OAuth2Api(new Configuration({ basePath: PUBLIC_BASE, baseOptions: { adapter: 'fetch', env: { fetch: s.publicFetch, Request, Response } } }))
}

/** The device asks for its codes (RFC 8628 §3.1) and checks the answer as oauth4webapi does. */
export async function requestDeviceCodes(
  s: TestServer,
  client: CodeClient,
  params: Record<string, string> = { scope: 'openid offline' },
): Promise<oauth.DeviceAuthorizationResponse> {
  const res = await oauth.deviceAuthorizationRequest(DEVICE_AS, rp(s, client), clientAuthOf(client), params, via(s))
  return oauth.processDeviceAuthorizationResponse(DEVICE_AS, rp(s, client), res)
}

/** One poll of the token endpoint with the device code (RFC 8628 §3.4). */
export const pollDevice = (s: TestServer, client: CodeClient, deviceCode: string): Promise<Response> =>
  oauth.deviceCodeGrantRequest(DEVICE_AS, rp(s, client), clientAuthOf(client), deviceCode, via(s))

/** The device challenge in a redirect to the device verification app. */
export function deviceChallengeOf(res: Response): string {
  const url = locationOf(res)
  if (`${url.origin}${url.pathname}` !== DEVICE_VERIFICATION_URL) throw new Error(`expected the device app, got ${url.href}`)
  return url.searchParams.get('device_challenge')!
}

/** Device verification app: accepts `userCode` for the device challenge of `res` and follows the redirect back. */
export async function acceptUserCode(s: TestServer, b: Browser, res: Response, userCode: string): Promise<Response> {
  const { data } = await s.hydra.oauth2.acceptUserCodeRequest({
    deviceChallenge: deviceChallengeOf(res),
    acceptDeviceUserCodeRequest: { user_code: userCode },
  })
  return b.open(data.redirect_to)
}

/** The user at verification_uri_complete: the user code accepted, then login and consent; ends at the success page. */
export async function authorizeDevice(s: TestServer, b: Browser, codes: oauth.DeviceAuthorizationResponse, options: FlowOptions = {}): Promise<Response> {
  const verify = await b.open(codes.verification_uri_complete!)
  const login = await acceptUserCode(s, b, verify, codes.user_code)
  const consent = await acceptLogin(s, b, login, options.login)
  return acceptConsent(s, b, consent, options.consent)
}

// Processes: the CLI and the development server as children, and what they write.

export const ROOT = join(import.meta.dir, '..')
export const MAIN = join(ROOT, 'src', 'main.ts')

/** A clean environment: nothing from the test process leaks into the CLI but PATH and HOME. */
export function cliEnv(env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }
}

/** Fast key generation for servers started in tests (RSA 4096 takes seconds). */
export const FAST_KEYS = { KEYS_ALGORITHMS_ID_TOKEN: 'ES256', KEYS_ALGORITHMS_ACCESS_TOKEN: 'ES256' }

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs `gatehouse <args>` to completion; stdin is empty unless given. */
export async function runCli(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<CliResult> {
  const proc = Bun.spawn(['bun', MAIN, ...args], {
    cwd: ROOT,
    env: cliEnv(env),
    stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { code, stdout, stderr }
}

/** Every line a process writes to the given streams, read as it arrives. */
export class OutputLines {
  readonly lines: string[] = []
  #open: number
  #waiters: (() => void)[] = []

  constructor(streams: ReadableStream<Uint8Array>[]) {
    this.#open = streams.length
    for (const stream of streams) void this.#pump(stream)
  }

  async #pump(stream: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder()
    let pending = ''
    for await (const chunk of stream) {
      const parts = (pending + decoder.decode(chunk, { stream: true })).split('\n')
      pending = parts.pop()!
      this.lines.push(...parts)
      this.#notify()
    }
    if (pending) this.lines.push(pending)
    this.#open--
    this.#notify()
  }

  #notify() {
    for (const wake of this.#waiters.splice(0)) wake()
  }

  /** The first value `found` returns for a line, or undefined once every stream has ended. */
  async waitFor<T>(found: (line: string) => T | undefined): Promise<T | undefined> {
    for (let checked = 0; ; ) {
      for (; checked < this.lines.length; checked++) {
        const value = found(this.lines[checked]!)
        if (value !== undefined) return value
      }
      if (this.#open === 0) return undefined
      await new Promise<void>((wake) => this.#waiters.push(wake))
    }
  }

  text() {
    return this.lines.join('\n')
  }
}

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

const devServers = new Set<Bun.Subprocess>()

/** Kills the processes `startDev` started that still run (for afterAll). */
export function killDev() {
  for (const proc of devServers) proc.kill('SIGKILL')
}

/** The environment of a dev server: in memory, JSON logs, fast ES256 keys, on the given ports. */
export function devEnv(ports: [number, number], env: Record<string, string> = {}): Record<string, string> {
  return cliEnv({
    DSN: 'memory',
    LOG_FORMAT: 'json',
    ...FAST_KEYS,
    SERVE_PUBLIC_PORT: String(ports[0]),
    SERVE_ADMIN_PORT: String(ports[1]),
    ...env,
  })
}

/** Starts `command` (a `serve all --dev`) and waits for the demo banner's client and authorize URL. */
export async function startDev(command: string[], options: { cwd: string; env?: Record<string, string> }): Promise<DevProcess> {
  const ports = freePorts()
  const proc = Bun.spawn(command, { cwd: options.cwd, env: devEnv(ports, options.env), stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  devServers.add(proc)
  void proc.exited.then(() => devServers.delete(proc))
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
