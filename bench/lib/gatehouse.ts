import { rmSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { freePort, runCommand, startServer, type RunningProcess } from './proc.ts'

/** The system secret of every benchmark run (the value is irrelevant, its presence is not). */
export const BENCH_SYSTEM_SECRET = 'gatehouse-bench-system-secret-0123456789'
/** Client id and secret on both sides. */
export const CLIENT = { id: 'bench', secret: 'bench-secret' }
export const WEB_CLIENT = { id: 'bench-web', secret: 'bench-secret', redirectUri: 'http://127.0.0.1/cb' }
export const BASIC = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`

export interface GatehouseOptions {
  binary: string
  dsn: string
  workdir: string
  name: string
  logLevel: string
  strategy?: 'opaque' | 'jwt'
  alg?: 'ES256' | 'RS256'
  /** serve.workers (default 1). */
  workers?: number
}

export interface Gatehouse {
  proc: RunningProcess
  publicUrl: string
  adminUrl: string
  /** The issuer the server was configured with (https; the listener itself is plain HTTP on loopback). */
  issuer: string
  stop(): Promise<void>
}

/** Environment of a production-mode Gatehouse on loopback ports; RSA keys 2048 bits like the peer's. */
export function gatehouseEnv(o: GatehouseOptions, publicPort: number, adminPort: number): Record<string, string> {
  return {
    DSN: o.dsn,
    SECRETS_SYSTEM: BENCH_SYSTEM_SECRET,
    URLS_SELF_ISSUER: `https://127.0.0.1:${publicPort}`,
    URLS_LOGIN: 'http://127.0.0.1:9/login',
    URLS_CONSENT: 'http://127.0.0.1:9/consent',
    SERVE_PUBLIC_HOST: '127.0.0.1',
    SERVE_ADMIN_HOST: '127.0.0.1',
    SERVE_PUBLIC_PORT: String(publicPort),
    SERVE_ADMIN_PORT: String(adminPort),
    STRATEGIES_ACCESS_TOKEN: o.strategy ?? 'opaque',
    KEYS_ALGORITHMS_ACCESS_TOKEN: o.alg ?? 'ES256',
    KEYS_RSA_MODULUS_LENGTH: '2048',
    LOG_LEVEL: o.logLevel,
    SERVE_WORKERS: String(o.workers ?? 1),
  }
}

export async function startGatehouse(o: GatehouseOptions): Promise<Gatehouse> {
  const publicPort = freePort()
  const adminPort = freePort()
  const proc = await startServer({
    name: o.name,
    cmd: [o.binary, 'serve', 'all'],
    env: gatehouseEnv(o, publicPort, adminPort),
    readyUrl: `http://127.0.0.1:${publicPort}/health/ready`,
    logFile: join(o.workdir, `${o.name}.log`),
    timeoutMs: 60_000,
  })
  return {
    proc,
    publicUrl: `http://127.0.0.1:${publicPort}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    issuer: `https://127.0.0.1:${publicPort}`,
    stop: () => proc.stop(),
  }
}

/** Applies the migrations with the binary itself (`gatehouse migrate sql <DSN> --yes`). */
export async function migrate(binary: string, dsn: string): Promise<void> {
  const r = await runCommand([binary, 'migrate', 'sql', dsn, '--yes'], { timeoutMs: 120_000 })
  if (r.code !== 0) throw new Error(`gatehouse migrate sql failed: ${r.stderr || r.stdout}`)
}

/** A new SQLite database file, migrated. */
export async function freshSqlite(binary: string, workdir: string, name: string): Promise<string> {
  const path = join(workdir, `${name}.sqlite`)
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
  const dsn = `sqlite://${path}`
  await migrate(binary, dsn)
  return dsn
}

/** The server's version string, or null when PostgreSQL is not reachable. */
export async function postgresVersion(baseUrl: string): Promise<string | null> {
  const sql = postgres(baseUrl, { max: 1, connect_timeout: 3, onnotice: () => {} })
  try {
    const [row] = await sql`SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS sc`
    return `PostgreSQL ${row!.v} (synchronous_commit=${row!.sc})`
  } catch {
    return null
  } finally {
    await sql.end({ timeout: 2 })
  }
}

/** Drops and recreates a database next to `baseUrl`'s, migrates it and returns its DSN. */
export async function freshPostgres(binary: string, baseUrl: string, db: string): Promise<string> {
  const sql = postgres(baseUrl, { max: 1, onnotice: () => {} })
  try {
    await sql.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
    await sql.unsafe(`CREATE DATABASE ${db}`)
  } finally {
    await sql.end({ timeout: 2 })
  }
  const u = new URL(baseUrl)
  u.pathname = `/${db}`
  const dsn = u.href
  await migrate(binary, dsn)
  return dsn
}

export async function dropPostgres(baseUrl: string, db: string): Promise<void> {
  const sql = postgres(baseUrl, { max: 1, onnotice: () => {} })
  try {
    await sql.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
  } finally {
    await sql.end({ timeout: 2 })
  }
}

/** The benchmark clients as `POST /admin/clients` takes them; secrets are hashed with the default hasher (PBKDF2). */
const BENCH_CLIENTS: readonly Record<string, unknown>[] = [
  {
    client_id: CLIENT.id,
    client_secret: CLIENT.secret,
    grant_types: ['client_credentials'],
    response_types: [],
    scope: 'read write',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: WEB_CLIENT.id,
    client_secret: WEB_CLIENT.secret,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [WEB_CLIENT.redirectUri],
    scope: 'openid offline_access',
    token_endpoint_auth_method: 'client_secret_basic',
  },
]

/**
 * Creates BENCH_CLIENTS through the admin API at `g.adminUrl`: over HTTP by default, or through `send`
 * (an app's `handle`, for in-process runs).
 */
export async function createBenchClients(
  g: Pick<Gatehouse, 'adminUrl'>,
  send: (request: Request) => Promise<Response> = fetch,
): Promise<void> {
  for (const body of BENCH_CLIENTS) {
    const res = await send(
      new Request(`${g.adminUrl}/admin/clients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    )
    // 409: the client is already there (a database reused across servers).
    if (res.status !== 201 && res.status !== 409) throw new Error(`POST /admin/clients: ${res.status} ${await res.text()}`)
  }
}
