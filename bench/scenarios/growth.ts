import { rmSync } from 'node:fs'
import { contest } from '../lib/contest.ts'
import { loadContender, withServers, type BenchContext, type GrowthJanitor } from '../lib/context.ts'
import { createBenchClients, dropPostgres, freshPostgres, freshSqlite, startGatehouse } from '../lib/gatehouse.ts'
import { runCommand } from '../lib/proc.ts'
import { checkTokenEndpoint, tokenSpec } from '../lib/requests.ts'
import { countTokens, postgresTemplate, seedPostgres, seedSqlite, sqliteTemplate, type TemplateRow } from '../lib/seed.ts'
import { fmt, mb } from '../lib/stats.ts'

/** Rows deleted per janitor statement in S7. */
const JANITOR_BATCH = 1000

interface Store {
  name: 'SQLite' | 'PostgreSQL'
  empty: string
  full: string
  cleanup(): Promise<void>
}

async function stores(ctx: BenchContext): Promise<Store[]> {
  const list: Store[] = []
  const sqlitePaths = ['s7-empty', 's7-full']
  const [empty, full] = [await freshSqlite(ctx.binary, ctx.workdir, sqlitePaths[0]!), await freshSqlite(ctx.binary, ctx.workdir, sqlitePaths[1]!)]
  list.push({
    name: 'SQLite',
    empty,
    full,
    async cleanup() {
      if (ctx.opts.keep) return
      for (const dsn of [empty, full]) for (const s of ['', '-wal', '-shm']) rmSync(`${dsn.slice('sqlite://'.length)}${s}`, { force: true })
    },
  })
  if (ctx.pg) {
    const pg = ctx.pg
    const dbs = ['gatehouse_bench_s7_empty', 'gatehouse_bench_s7_full']
    list.push({
      name: 'PostgreSQL',
      empty: await freshPostgres(ctx.binary, pg, dbs[0]!),
      full: await freshPostgres(ctx.binary, pg, dbs[1]!),
      async cleanup() {
        if (!ctx.opts.keep) for (const db of dbs) await dropPostgres(pg, db)
      },
    })
  }
  return list
}

/** Creates the clients and issues one token with a short-lived server, then reads that row back as the template. */
async function templateOf(ctx: BenchContext, store: Store, dsn: string): Promise<TemplateRow> {
  await withServers(async (track) => {
    const gh = track(await startGatehouse({ binary: ctx.binary, dsn, workdir: ctx.workdir, name: `S7-${store.name}-setup`, logLevel: ctx.opts.logLevel, workers: ctx.opts.workers }))
    await createBenchClients(gh)
    await checkTokenEndpoint('Gatehouse', `${gh.publicUrl}/oauth2/token`, null)
  })
  return store.name === 'SQLite' ? sqliteTemplate(dsn.slice('sqlite://'.length)) : postgresTemplate(dsn)
}

async function seed(ctx: BenchContext, store: Store): Promise<void> {
  const t = await templateOf(ctx, store, store.full)
  const plan = { valid: ctx.opts.rows - ctx.opts.expired, expired: ctx.opts.expired }
  const started = performance.now()
  let last = 0
  const progress = (done: number) => {
    if (done - last >= 1_000_000 || done === ctx.opts.rows) {
      ctx.log(`S7 ${store.name}: seeded ${fmt(done)} of ${fmt(ctx.opts.rows)} tokens`)
      last = done
    }
  }
  if (store.name === 'SQLite') seedSqlite(store.full.slice('sqlite://'.length), t, plan, progress)
  else await seedPostgres(store.full, t, plan, progress)
  ctx.results.growth.seedSeconds[store.name] = (performance.now() - started) / 1000
}

async function throughput(ctx: BenchContext, store: Store): Promise<void> {
  const id = `S7 ${store.name}`
  await withServers(async (track) => {
    const start = (dsn: string, name: string) =>
      startGatehouse({ binary: ctx.binary, dsn, workdir: ctx.workdir, name: `S7-${store.name}-${name}`, logLevel: ctx.opts.logLevel, workers: ctx.opts.workers })
    const empty = track(await start(store.empty, 'empty'))
    await createBenchClients(empty)
    const full = track(await start(store.full, 'full'))
    for (const g of [empty, full]) await checkTokenEndpoint('Gatehouse', `${g.publicUrl}/oauth2/token`, null)
    const contenders = [
      loadContender(ctx, `Gatehouse, ${fmt(ctx.opts.rows)} tokens stored`, 'subject', full.proc.pid, tokenSpec(`${full.publicUrl}/oauth2/token`)),
      loadContender(ctx, 'Gatehouse, empty store', 'baseline', empty.proc.pid, tokenSpec(`${empty.publicUrl}/oauth2/token`)),
    ]
    const title = `client_credentials with ${fmt(ctx.opts.rows)} stored tokens vs an empty ${store.name} store`
    ctx.log(`${id}: ${title}`)
    const options = { rounds: ctx.opts.rounds, durationS: ctx.opts.durationS, warmupS: ctx.opts.warmupS, log: ctx.log }
    ctx.results.contests.push(await contest(id, title, 0.8, contenders, options))
  })
}

/** `gatehouse janitor` on the seeded store: time, peak RSS, and the same command with nothing left to delete. */
async function janitor(ctx: BenchContext, store: Store): Promise<GrowthJanitor> {
  const before = await countTokens(store.full, Date.now())
  const cmd = [ctx.binary, 'janitor', store.full, '--tokens', '--limit', String(ctx.opts.expired * 2 + 1000), '--batch-size', String(JANITOR_BATCH)]
  ctx.log(`S7 ${store.name}: gatehouse janitor --tokens --limit ${cmd[5]} --batch-size ${JANITOR_BATCH} (${fmt(before.expired)} expired of ${fmt(before.total)})`)
  const run = await runCommand(cmd, { timeoutMs: 3_600_000 })
  if (run.code !== 0) throw new Error(`janitor failed: ${run.stderr || run.stdout}`)
  const after = await countTokens(store.full, Date.now())
  const idle = await runCommand(cmd, { timeoutMs: 600_000 })
  const deleted = before.total - after.total
  const result: GrowthJanitor = {
    store: store.name,
    deleted,
    expiredBefore: before.expired,
    expiredAfter: after.expired,
    totalBefore: before.total,
    totalAfter: after.total,
    seconds: run.wallMs / 1000,
    rowsPerSecond: deleted / (run.wallMs / 1000),
    peakRssMb: mb(run.maxRss),
    idlePeakRssMb: mb(idle.maxRss),
  }
  ctx.log(`S7 ${store.name}: janitor deleted ${fmt(deleted)} in ${result.seconds.toFixed(1)} s, peak RSS ${result.peakRssMb.toFixed(0)} MB (nothing to delete: ${result.idlePeakRssMb.toFixed(0)} MB)`)
  return result
}

/** S7: throughput with many stored tokens against an empty store, then the janitor on the expired ones. */
export async function growthScenario(ctx: BenchContext): Promise<void> {
  ctx.log(`S7: growth, ${fmt(ctx.opts.rows)} stored tokens of which ${fmt(ctx.opts.expired)} expired`)
  ctx.results.growth.rows = ctx.opts.rows
  ctx.results.growth.expired = ctx.opts.expired
  for (const store of await stores(ctx)) {
    try {
      await seed(ctx, store)
      await throughput(ctx, store)
      ctx.results.growth.janitor.push(await janitor(ctx, store))
    } finally {
      await store.cleanup()
    }
  }
}
