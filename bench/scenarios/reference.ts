import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { withServers, type BenchContext } from '../lib/context.ts'
import { runLoad } from '../lib/load.ts'
import { freePort, runCommand, startServer } from '../lib/proc.ts'
import { tokenSpec } from '../lib/requests.ts'
import { fmt, median } from '../lib/stats.ts'

/** The bare Bun.serve ceiling: the same POST as S1 against a server that does none of the work. */
async function bareBunServe(ctx: BenchContext): Promise<void> {
  await withServers(async (track) => {
    const port = freePort()
    const server = track(
      await startServer({
        name: 'ref-bun-serve',
        cmd: [process.execPath, join(import.meta.dir, '..', 'ref_server.ts')],
        env: { PORT: String(port) },
        readyUrl: `http://127.0.0.1:${port}/`,
        logFile: join(ctx.workdir, 'ref-bun-serve.log'),
      }),
    )
    const spec = tokenSpec(`http://127.0.0.1:${port}/`)
    const { connections, threads } = ctx.opts
    await runLoad(ctx.tool, spec, { connections, threads, durationS: ctx.opts.warmupS }, ctx.workdir)
    const runs: number[] = []
    for (let i = 0; i < ctx.opts.rounds; i++) {
      const r = await runLoad(ctx.tool, spec, { connections, threads, durationS: ctx.opts.durationS, serverPid: server.pid }, ctx.workdir)
      if (r.non2xx || r.socketErrors) throw new Error(`bare Bun.serve: ${r.non2xx} non-2xx, ${r.socketErrors} socket errors`)
      runs.push(r.rps)
      ctx.log(`REF bare Bun.serve run ${i + 1}: ${fmt(r.rps)} req/s, load generator ${fmt(r.loadgenCores, 2)} cores`)
    }
    const note =
      ctx.tool === 'bun'
        ? 'also the ceiling of the Bun load generator: every figure below it is not limited by the load generator'
        : 'POST with a form body, small JSON answer'
    ctx.results.references.push({ label: 'bare Bun.serve endpoint', rps: median(runs), runs, tool: ctx.tool, note })
  })
}

/** Raw single-row INSERT commits of an access-token-shaped row with pgbench, the PostgreSQL write ceiling. */
async function rawPostgresInserts(ctx: BenchContext): Promise<void> {
  if (!ctx.pgDsn) return
  if (!Bun.which('pgbench')) {
    ctx.results.notes.push('REF: raw PostgreSQL inserts skipped: pgbench not found (apt-get install postgresql-client)')
    return
  }
  const sql = postgres(ctx.pgDsn, { max: 1, onnotice: () => {} })
  const session = 'x'.repeat(203)
  const script = join(ctx.workdir, 'ref-inserts.sql')
  writeFileSync(
    script,
    'INSERT INTO bench_ref_inserts (signature, request_id, client_id, subject, granted_scope, granted_audience, session_data, ' +
      'active, requested_at, expires_at, flow_id, first_used_at, used_times, access_token_signature) VALUES ' +
      "(substr(md5(random()::text) || md5(random()::text), 1, 43), gen_random_uuid()::text, 'bench', 'bench', '[\"read\"]', '[]', " +
      `'${session}', TRUE, 1, 2, NULL, NULL, 0, NULL);\n`,
  )
  try {
    await sql.unsafe('DROP TABLE IF EXISTS bench_ref_inserts')
    await sql.unsafe('CREATE TABLE bench_ref_inserts (LIKE access_tokens INCLUDING ALL)')
    const runs: number[] = []
    const c = String(ctx.opts.connections)
    for (let i = 0; i < ctx.opts.rounds; i++) {
      const r = await runCommand(['pgbench', '-n', '-M', 'prepared', '-c', c, '-j', '2', '-T', String(ctx.opts.durationS), '-f', script, ctx.pgDsn])
      const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(r.stdout)
      if (r.code !== 0 || !m) throw new Error(`pgbench failed: ${r.stderr || r.stdout}`)
      runs.push(Number(m[1]))
      ctx.log(`REF raw PostgreSQL inserts run ${i + 1}: ${fmt(Number(m[1]))} inserts/s`)
    }
    ctx.results.references.push({
      label: 'raw PostgreSQL inserts (pgbench)',
      rps: median(runs),
      runs,
      tool: 'pgbench',
      note: `one access-token row per transaction, ${c} clients, prepared`,
    })
  } finally {
    await sql.unsafe('DROP TABLE IF EXISTS bench_ref_inserts').catch(() => {})
    await sql.end({ timeout: 2 })
  }
}

export async function referenceScenario(ctx: BenchContext): Promise<void> {
  ctx.log('REF: the machine’s limits (bare Bun.serve, raw PostgreSQL inserts)')
  await bareBunServe(ctx)
  await rawPostgresInserts(ctx)
}
