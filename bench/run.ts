// `bun run bench`: Gatehouse side by side with oidc-provider on this machine. See bench/README.md.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { emptyResults, withServers, wants, type BenchContext } from './lib/context.ts'
import { createBenchClients, dropPostgres, freshPostgres, freshSqlite, postgresVersion, startGatehouse } from './lib/gatehouse.ts'
import { haveWrk, type LoadTool } from './lib/load.ts'
import { describeMachine, loadNow } from './lib/machine.ts'
import { parseOptions, USAGE } from './lib/options.ts'
import { havePeer } from './lib/peer.ts'
import { runCommand } from './lib/proc.ts'
import { renderReport } from './lib/report.ts'
import { flowScenario } from './scenarios/flows.ts'
import { growthScenario } from './scenarios/growth.ts'
import { referenceScenario } from './scenarios/reference.ts'
import { startupScenario } from './scenarios/startup.ts'
import { tokenScenarios } from './scenarios/tokens.ts'

const ROOT = join(import.meta.dir, '..')
const MAIN_PG_DB = 'gatehouse_bench'

const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`)

function fail(message: string): never {
  console.error(message)
  process.exit(1)
}

async function main() {
  let opts
  try {
    opts = parseOptions(process.argv.slice(2), join(ROOT, 'bench', 'results', 'latest.json'))
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`)
  }
  if (opts === 'help') {
    console.log(USAGE)
    return
  }
  if (!havePeer()) fail('oidc-provider is not installed: it is a dev dependency of this project, run `bun install` first.')
  let tool: LoadTool = opts.loadgen === 'bun' ? 'bun' : 'wrk'
  if (tool === 'wrk' && !haveWrk()) {
    if (opts.loadgen === 'wrk') fail('wrk is not installed: `apt-get install wrk` (Debian/Ubuntu), or run with --loadgen bun.')
    log('wrk is not installed (`apt-get install wrk` on Debian/Ubuntu); using the Bun load generator instead. Its ceiling is measured against a bare Bun.serve endpoint (REF).')
    tool = 'bun'
  }

  const startedAt = new Date().toISOString()
  const pgVersion = await postgresVersion(opts.postgresUrl)
  const machine = describeMachine(pgVersion)
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; loadavg ${machine.loadavg.join(' ')}`)

  if (opts.build) {
    log('building dist/gatehouse (bun run build)')
    const r = await runCommand([process.execPath, 'run', 'build'], { cwd: ROOT, timeoutMs: 300_000 })
    if (r.code !== 0) fail(`bun run build failed:\n${r.stderr || r.stdout}`)
  }
  const built = join(ROOT, 'dist', 'gatehouse')
  const workdir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'))
  // A private copy, so a rebuild elsewhere during the run does not swap the binary under it.
  const binary = join(workdir, 'gatehouse')
  copyFileSync(built, binary)

  const results = emptyResults()
  results.binaryBytes = statSync(built).size
  if (!pgVersion) results.notes.push(`PostgreSQL is not reachable at ${opts.postgresUrl}: S2, S4 PostgreSQL, S7 PostgreSQL and the insert reference are skipped`)
  const ctx: BenchContext = {
    opts,
    workdir,
    binary,
    tool,
    pg: pgVersion ? opts.postgresUrl : null,
    sqliteDsn: await freshSqlite(binary, workdir, 'main'),
    pgDsn: pgVersion ? await freshPostgres(binary, opts.postgresUrl, MAIN_PG_DB) : null,
    log,
    results,
  }

  try {
    // First start on each new store: generates the key sets; creates the benchmark clients.
    for (const dsn of [ctx.sqliteDsn, ctx.pgDsn]) {
      if (!dsn) continue
      await withServers(async (track) => {
        const gh = track(await startGatehouse({ binary, dsn, workdir, name: 'setup', logLevel: opts.logLevel, workers: opts.workers }))
        if (dsn === ctx.sqliteDsn) results.firstStartMs = gh.proc.readyMs
        await createBenchClients(gh)
      })
    }
    if (wants(ctx, 'REF')) await referenceScenario(ctx)
    if (wants(ctx, 'S6')) await startupScenario(ctx)
    await tokenScenarios(ctx)
    if (wants(ctx, 'S5')) await flowScenario(ctx)
    if (wants(ctx, 'S7')) await growthScenario(ctx)
  } finally {
    if (ctx.pg && !opts.keep) await dropPostgres(ctx.pg, MAIN_PG_DB).catch(() => {})
    if (!opts.keep) rmSync(workdir, { recursive: true, force: true })
    else log(`work directory kept: ${workdir}`)
  }

  const report = { startedAt, finishedAt: new Date().toISOString(), machine, loadEnd: loadNow(), opts, tool, results }
  const text = renderReport(report)
  mkdirSync(dirname(opts.out), { recursive: true })
  const { only, ...options } = opts
  writeFileSync(opts.out, `${JSON.stringify({ ...report, opts: { ...options, only: only ? [...only] : null }, table: text }, null, 2)}\n`)
  console.log(text)
  log(`results written to ${opts.out}`)
}

await main()
