import type { BenchContext, StartupResult } from '../lib/context.ts'
import { startGatehouse } from '../lib/gatehouse.ts'
import { procStatus } from '../lib/proc.ts'
import { mb, median } from '../lib/stats.ts'

/** Starts the binary `runs` times on an existing store and times spawn → first 200 from /health/ready. */
async function timeStartups(ctx: BenchContext, store: string, dsn: string, measureIdle: boolean): Promise<StartupResult> {
  const times: number[] = []
  for (let i = 0; i < ctx.opts.startups; i++) {
    const gh = await startGatehouse({ binary: ctx.binary, dsn, workdir: ctx.workdir, name: `S6-${store}`, logLevel: ctx.opts.logLevel, workers: ctx.opts.workers })
    try {
      times.push(gh.proc.readyMs)
      if (measureIdle && i === 0) {
        await Bun.sleep(1000)
        ctx.results.idleRssMb = mb(procStatus(gh.proc.pid).rss)
      }
    } finally {
      await gh.proc.stop()
    }
  }
  return { store, runs: times.length, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) }
}

/** S6: start-up to ready (store already migrated, keys already generated), idle RSS. */
export async function startupScenario(ctx: BenchContext): Promise<void> {
  ctx.log('S6: start-up of the binary to /health/ready, idle RSS')
  const sqlite = await timeStartups(ctx, 'SQLite', ctx.sqliteDsn, true)
  ctx.results.startup.push(sqlite)
  ctx.log(`S6 SQLite: median ${sqlite.medianMs.toFixed(0)} ms (min ${sqlite.minMs.toFixed(0)}, max ${sqlite.maxMs.toFixed(0)}), idle RSS ${ctx.results.idleRssMb?.toFixed(0)} MB`)
  if (ctx.pgDsn) {
    const pg = await timeStartups(ctx, 'PostgreSQL', ctx.pgDsn, false)
    ctx.results.startup.push(pg)
    ctx.log(`S6 PostgreSQL: median ${pg.medianMs.toFixed(0)} ms (min ${pg.minMs.toFixed(0)}, max ${pg.maxMs.toFixed(0)})`)
  }
}
