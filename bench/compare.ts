// Before/after of a product change: two Gatehouse binaries under the same load, alternating rounds.
//   bun bench/compare.ts <before-binary> <after-binary> [cc|cc-jwt|introspect|flows] [--store sqlite|postgres]
//        [--alg ES256|RS256] [--rounds 3] [--duration 8]
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ALGS, intOption, LOADS, oneOf, parseCli, STORES, UsageError } from './lib/cli.ts'
import { contest, type Contender } from './lib/contest.ts'
import { dropPostgres, createBenchClients, freshPostgres, freshSqlite, startGatehouse, WEB_CLIENT, type Gatehouse } from './lib/gatehouse.ts'
import { runFlows } from './lib/flows.ts'
import { runLoad } from './lib/load.ts'
import { introspectSpec, issueTokens, tokenSpec } from './lib/requests.ts'
import { fmt } from './lib/stats.ts'

const USAGE = `Usage: bun bench/compare.ts <before-binary> <after-binary> [cc|cc-jwt|introspect|flows] [options]

Two Gatehouse binaries under the same load in alternating rounds; prints each side's median and after / before.

  --store sqlite|postgres  store of both sides (default sqlite)
  --alg ES256|RS256        JWT algorithm for cc-jwt (default ES256)
  --rounds <n>             measured rounds per side (default 3)
  --duration <s>           seconds per measured run (default 8)
  --warmup <s>             seconds of warm-up per side (default 3)
  --connections <n>        wrk connections (default 32)`
const opts = parseCli(
  USAGE,
  { store: { type: 'string' }, alg: { type: 'string' }, rounds: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' } },
  ({ values, positionals }) => {
    const [before, after, load, ...rest] = positionals
    if (!before || !after) throw new UsageError('both binaries are required')
    if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`)
    for (const binary of [before, after]) if (!existsSync(binary)) throw new UsageError(`no such binary: ${binary}`)
    return {
      before,
      after,
      load: oneOf('the load', load, LOADS, 'cc'),
      store: oneOf('--store', values.store, STORES, 'sqlite'),
      alg: oneOf('--alg', values.alg, ALGS, 'ES256'),
      rounds: intOption('rounds', values.rounds, 3),
      durationS: intOption('duration', values.duration, 8),
      warmupS: intOption('warmup', values.warmup, 3),
      connections: intOption('connections', values.connections, 32),
    }
  },
)
const { before, after, load } = opts
const pgUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const workdir = mkdtempSync(join(tmpdir(), 'gatehouse-compare-'))
const log = (line: string) => console.error(line)
const servers: Gatehouse[] = []
const dbs: string[] = []

async function side(label: string, binary: string): Promise<Contender> {
  const name = `compare_${label}`
  let dsn: string
  if (opts.store === 'postgres') {
    dsn = await freshPostgres(binary, pgUrl, `gatehouse_bench_${name}`)
    dbs.push(`gatehouse_bench_${name}`)
  } else dsn = await freshSqlite(binary, workdir, name)
  const strategy = load === 'cc-jwt' ? 'jwt' : 'opaque'
  const g = await startGatehouse({ binary, dsn, workdir, name, logLevel: 'warn', strategy, alg: opts.alg })
  servers.push(g)
  await createBenchClients(g)
  const o = { connections: opts.connections, threads: 1, serverPid: g.proc.pid }
  if (load === 'flows') {
    const target = { kind: 'gatehouse' as const, publicUrl: g.publicUrl, adminUrl: g.adminUrl, issuer: g.issuer, clientId: WEB_CLIENT.id, clientSecret: WEB_CLIENT.secret, redirectUri: WEB_CLIENT.redirectUri }
    return { label, role: label === 'after' ? 'subject' : 'baseline', drive: (durationS) => runFlows(target, { concurrency: 16, durationS, serverPid: g.proc.pid }, workdir) }
  }
  const spec =
    load === 'introspect'
      ? introspectSpec(`${g.adminUrl}/admin/oauth2/introspect`, await issueTokens(`${g.publicUrl}/oauth2/token`, 500), false)
      : tokenSpec(`${g.publicUrl}/oauth2/token`)
  return { label, role: label === 'after' ? 'subject' : 'baseline', drive: (durationS) => runLoad('wrk', spec, { ...o, durationS }, workdir) }
}

try {
  const contenders = [await side('before', before), await side('after', after)]
  const options = { rounds: opts.rounds, durationS: opts.durationS, warmupS: opts.warmupS, log }
  const r = await contest(`${load} ${opts.store}`, 'after vs before', null, contenders, options)
  const unit = load === 'flows' ? 'flows/s' : 'req/s'
  for (const s of r.sides) console.log(`${s.label}: ${fmt(s.rps)} ${unit} (${s.runs.map((x) => fmt(x.rps)).join(', ')}), p50 ${fmt(s.p50Ms, 2)} ms, p99 ${fmt(s.p99Ms, 2)} ms, peak RSS ${fmt(s.peakRssMb)} MB, errors ${s.errors}`)
  console.log(r.refused ? `no ratio: ${r.refused}` : `after / before = ${fmt(r.ratio!, 2)}×`)
} finally {
  for (const g of servers) await g.stop()
  for (const db of dbs) await dropPostgres(pgUrl, db)
  rmSync(workdir, { recursive: true, force: true })
}
