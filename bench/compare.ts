// Before/after of a product change: two Gatehouse binaries under the same load, alternating rounds.
//   bun bench/compare.ts <before-binary> <after-binary> [cc|cc-jwt|introspect|flows] [--store sqlite|postgres]
//        [--alg ES256|RS256] [--rounds 3] [--duration 8]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { contest, type Contender } from './lib/contest.ts'
import { dropPostgres, createBenchClients, freshPostgres, freshSqlite, startGatehouse, WEB_CLIENT, type Gatehouse } from './lib/gatehouse.ts'
import { runFlows } from './lib/flows.ts'
import { runLoad } from './lib/load.ts'
import { introspectSpec, issueTokens, tokenSpec } from './lib/requests.ts'
import { fmt } from './lib/stats.ts'

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    store: { type: 'string', default: 'sqlite' },
    alg: { type: 'string', default: 'ES256' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
  },
})
const [before, after, load = 'cc'] = positionals
if (!before || !after) throw new Error('usage: bun bench/compare.ts <before-binary> <after-binary> [cc|cc-jwt|introspect|flows]')
const pgUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const workdir = mkdtempSync(join(tmpdir(), 'gatehouse-compare-'))
const log = (line: string) => console.error(line)
const servers: Gatehouse[] = []
const dbs: string[] = []

async function side(label: string, binary: string): Promise<Contender> {
  const name = `compare_${label}`
  let dsn: string
  if (values.store === 'postgres') {
    dsn = await freshPostgres(binary, pgUrl, `gatehouse_bench_${name}`)
    dbs.push(`gatehouse_bench_${name}`)
  } else dsn = await freshSqlite(binary, workdir, name)
  const strategy = load === 'cc-jwt' ? 'jwt' : 'opaque'
  const g = await startGatehouse({ binary, dsn, workdir, name, logLevel: 'warn', strategy, alg: values.alg as 'ES256' })
  servers.push(g)
  await createBenchClients(g)
  const o = { connections: Number(values.connections), threads: 1, serverPid: g.proc.pid }
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
  const options = { rounds: Number(values.rounds), durationS: Number(values.duration), warmupS: Number(values.warmup), log }
  const r = await contest(`${load} ${values.store}`, 'after vs before', null, contenders, options)
  const unit = load === 'flows' ? 'flows/s' : 'req/s'
  for (const s of r.sides) console.log(`${s.label}: ${fmt(s.rps)} ${unit} (${s.runs.map((x) => fmt(x.rps)).join(', ')}), p50 ${fmt(s.p50Ms, 2)} ms, p99 ${fmt(s.p99Ms, 2)} ms, peak RSS ${fmt(s.peakRssMb)} MB, errors ${s.errors}`)
  console.log(r.refused ? `no ratio: ${r.refused}` : `after / before = ${fmt(r.ratio!, 2)}×`)
} finally {
  for (const g of servers) await g.stop()
  for (const db of dbs) await dropPostgres(pgUrl, db)
  rmSync(workdir, { recursive: true, force: true })
}
