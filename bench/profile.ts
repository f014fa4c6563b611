// CPU profile of Gatehouse under one benchmark load: runs src/main.ts with `bun --cpu-prof`, drives it with
// wrk, stops it and prints the functions with the most self time.
//   bun bench/profile.ts [cc|cc-jwt|introspect|flows] [--store sqlite|postgres] [--alg ES256|RS256] [--seconds 10]
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ALGS, intOption, LOADS, oneOf, parseCli, STORES, UsageError } from './lib/cli.ts'
import { BENCH_SYSTEM_SECRET, WEB_CLIENT, createBenchClients, freshPostgres, freshSqlite, gatehouseEnv } from './lib/gatehouse.ts'
import { runFlows } from './lib/flows.ts'
import { runLoad } from './lib/load.ts'
import { freePort, startServer } from './lib/proc.ts'
import { introspectSpec, issueTokens, tokenSpec } from './lib/requests.ts'
import { fmt } from './lib/stats.ts'

const USAGE = `Usage: bun bench/profile.ts [cc|cc-jwt|introspect|flows] [options]

Runs Gatehouse from source under bun --cpu-prof with one benchmark load and prints the functions with the most
self time. Needs dist/gatehouse (bun run build) to prepare the store.

  --store sqlite|postgres  store (default sqlite)
  --alg ES256|RS256        JWT algorithm for cc-jwt (default ES256)
  --seconds <n>            seconds of load (default 10)
  --connections <n>        wrk connections (default 32)
  --top <n>                functions listed (default 40)`
const root = join(import.meta.dir, '..')
const binary = join(root, 'dist', 'gatehouse')
const opts = parseCli(
  USAGE,
  { store: { type: 'string' }, alg: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' }, top: { type: 'string' } },
  ({ values, positionals }) => {
    if (positionals.length > 1) throw new UsageError(`one load at most, got ${positionals.join(' ')}`)
    if (!existsSync(binary)) throw new UsageError(`${binary} is missing: run \`bun run build\` first`)
    return {
      load: oneOf('the load', positionals[0], LOADS, 'cc'),
      store: oneOf('--store', values.store, STORES, 'sqlite'),
      alg: oneOf('--alg', values.alg, ALGS, 'ES256'),
      seconds: intOption('seconds', values.seconds, 10),
      connections: intOption('connections', values.connections, 32),
      top: intOption('top', values.top, 40),
    }
  },
)
const { load } = opts
const workdir = mkdtempSync(join(tmpdir(), 'gatehouse-profile-'))
const dsn =
  opts.store === 'postgres'
    ? await freshPostgres(binary, process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', 'gatehouse_bench_profile')
    : await freshSqlite(binary, workdir, 'profile')
const publicPort = freePort()
const adminPort = freePort()
const env = gatehouseEnv(
  { binary, dsn, workdir, name: 'profile', logLevel: 'warn', strategy: load === 'cc-jwt' ? 'jwt' : 'opaque', alg: opts.alg },
  publicPort,
  adminPort,
)
const proc = await startServer({
  name: 'profile',
  cmd: [process.execPath, '--cpu-prof', `--cpu-prof-dir=${workdir}`, join(root, 'src', 'main.ts'), 'serve', 'all'],
  env: { ...env, SECRETS_SYSTEM: BENCH_SYSTEM_SECRET },
  cwd: root,
  readyUrl: `http://127.0.0.1:${publicPort}/health/ready`,
  logFile: join(workdir, 'profile.log'),
})
const g = { proc, publicUrl: `http://127.0.0.1:${publicPort}`, adminUrl: `http://127.0.0.1:${adminPort}`, issuer: '', stop: () => proc.stop() }
await createBenchClients(g)
const durationS = opts.seconds
const spec =
  load === 'introspect'
    ? introspectSpec(`${g.adminUrl}/admin/oauth2/introspect`, await issueTokens(`${g.publicUrl}/oauth2/token`, 500), false)
    : tokenSpec(`${g.publicUrl}/oauth2/token`)
const flowTarget = { kind: 'gatehouse' as const, publicUrl: g.publicUrl, adminUrl: g.adminUrl, issuer: `https://127.0.0.1:${publicPort}`, clientId: WEB_CLIENT.id, clientSecret: WEB_CLIENT.secret, redirectUri: WEB_CLIENT.redirectUri }
const r =
  load === 'flows'
    ? await runFlows(flowTarget, { concurrency: 16, durationS, serverPid: proc.pid }, workdir)
    : await runLoad('wrk', spec, { connections: opts.connections, threads: 1, durationS, serverPid: proc.pid }, workdir)
console.log(`${load} on ${opts.store}: ${fmt(r.rps)} req/s, p50 ${fmt(r.p50Ms, 2)} ms, p99 ${fmt(r.p99Ms, 2)} ms, ${r.non2xx + r.socketErrors} errors, server ${fmt(r.serverCores, 2)} cores`)
await proc.stop()

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
const file = readdirSync(workdir).find((f) => f.endsWith('.cpuprofile'))
if (!file) throw new Error(`no .cpuprofile in ${workdir}`)
const profile = JSON.parse(readFileSync(join(workdir, file), 'utf8')) as { nodes: Node[]; samples: number[] }
const hits = new Map<number, number>()
for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1)
const byFunction = new Map<string, number>()
const byFile = new Map<string, number>()
let total = 0
for (const n of profile.nodes) {
  const h = hits.get(n.id) ?? n.hitCount ?? 0
  if (!h) continue
  total += h
  const where = n.callFrame.url.replace(`file://${root}/`, '').replace(/^.*node_modules\//, 'node_modules/')
  const fn = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + h)
  byFile.set(where || '(native)', (byFile.get(where || '(native)') ?? 0) + h)
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (share of ${total} samples)`)
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, opts.top)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
}
show('self time by function', byFunction)
show('self time by file', byFile)
console.log(`\nprofile: ${join(workdir, file)}`)
