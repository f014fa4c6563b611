import { afterAll } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PostgresDriver } from '../../src/store/postgres/driver.ts'
import { SqliteDriver } from '../../src/store/sqlite/driver.ts'
import { SqlStore } from '../../src/store/sql/store.ts'
import { cliEnv, FAST_KEYS, MAIN, ROOT } from '../_harness.ts'

export const PROD_ENV = { SECRETS_SYSTEM: 'cli-test-system-secret-0123456789', URLS_SELF_ISSUER: 'https://gatehouse.test' }

const dirs: string[] = []

/** A fresh temporary directory, removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'))
  dirs.push(dir)
  return dir
}

/** True when the text carries no JavaScript stack frame. */
export const noStack = (text: string) => !/^\s+at .+[:(]/m.test(text)

export interface LogLine {
  level?: string
  msg?: string
  [key: string]: unknown
}

/** A running `gatehouse serve` whose JSON log lines (stderr) can be awaited. */
export interface Served {
  proc: ReturnType<typeof Bun.spawn>
  lines: LogLine[]
  /** Resolves with the first log line (seen or future) matching; rejects if the process exits first. */
  waitFor(match: (line: LogLine) => boolean): Promise<LogLine>
  /** Port of the public/admin listener from its startup line. */
  port(api: 'public' | 'admin'): Promise<number>
  exited: Promise<number>
}

const running: Served[] = []

export function serve(args: string[], env: Record<string, string> = {}): Served {
  const proc = Bun.spawn(['bun', MAIN, 'serve', ...args], {
    cwd: ROOT,
    env: cliEnv({ SERVE_PUBLIC_PORT: '0', SERVE_ADMIN_PORT: '0', ...FAST_KEYS, ...env }),
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const lines: LogLine[] = []
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void; reject: (e: Error) => void }[] = []
  let ended = false
  const pump = (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        let line: LogLine
        try {
          line = JSON.parse(text) as LogLine
        } catch {
          line = { msg: text }
        }
        lines.push(line)
        for (const w of waiters.filter((w) => w.match(line))) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(line)
        }
      }
    }
  })()
  const exited = (async () => {
    const code = await proc.exited
    await pump
    ended = true
    for (const w of waiters.splice(0)) {
      w.reject(new Error(`serve exited with ${code} first; log:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`))
    }
    return code
  })()
  const waitFor = (match: (line: LogLine) => boolean) => {
    const seen = lines.find(match)
    if (seen) return Promise.resolve(seen)
    if (ended) return Promise.reject(new Error('serve has exited'))
    return new Promise<LogLine>((resolve, reject) => waiters.push({ match, resolve, reject }))
  }
  const served: Served = {
    proc,
    lines,
    waitFor,
    exited,
    port: async (api) => Number((await waitFor((l) => l.msg === 'listening' && l.api === api)).port),
  }
  running.push(served)
  return served
}

const PG = process.env.TEST_DATABASE_URL
const schemas: string[] = []

/**
 * Registers, for the calling test file, the removal of what its tests left behind: servers still
 * running, temporary directories and PostgreSQL schemas. Call it at the top level of every test file
 * (a hook registered here at import time would only apply to the first file that imports this module).
 */
export function cleanupAfterAll() {
  afterAll(async () => {
    for (const s of running.splice(0)) s.proc.kill('SIGKILL')
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
    if (PG && schemas.length) {
      const admin = new PostgresDriver(PG, { max: 1 })
      for (const schema of schemas.splice(0)) await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.close()
    }
  })
}

export interface Database {
  name: 'sqlite' | 'postgres'
  /** The DSN of a fresh, empty database (a SQLite file, or a PostgreSQL schema dropped after the file's tests). */
  fresh(): Promise<string>
  /** Opens the store behind a DSN from `fresh` directly, without migrating. */
  open(dsn: string): SqlStore
}

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export function databases(): Database[] {
  const list: Database[] = [
    {
      name: 'sqlite',
      fresh: async () => `sqlite://${join(tempDir(), 'db.sqlite')}`,
      open: (dsn) => new SqlStore(new SqliteDriver(dsn.slice('sqlite://'.length))),
    },
  ]
  if (PG) {
    list.push({
      name: 'postgres',
      async fresh() {
        const schema = `gh_cli_${process.pid}_${Date.now().toString(36)}_${schemas.length}`
        schemas.push(schema)
        const admin = new PostgresDriver(PG, { max: 1 })
        await admin.exec(`CREATE SCHEMA ${schema}`)
        await admin.close()
        return `${PG}${PG.includes('?') ? '&' : '?'}search_path=${schema}`
      },
      open: (dsn) => new SqlStore(new PostgresDriver(dsn, { max: 2 })),
    })
  }
  return list
}
