import { parseArgs } from 'node:util'
import { intOption as int, UsageError } from './cli.ts'

export interface BenchOptions {
  rounds: number
  durationS: number
  warmupS: number
  connections: number
  threads: number
  flowConcurrency: number
  /** Tokens stored for S7 (of which `expired` have expired). */
  rows: number
  expired: number
  startups: number
  only: Set<string> | null
  loadgen: 'wrk' | 'bun' | 'auto'
  logLevel: string
  /** Gatehouse's serve.workers. */
  workers: number
  postgresUrl: string
  build: boolean
  keep: boolean
  out: string
}

export const USAGE = `Usage: bun run bench [-- options]

Builds dist/gatehouse and measures it side by side with oidc-provider (on Node and on Bun) on this machine.

  --rounds <n>           alternating A/B rounds per scenario (default 3)
  --duration <s>         seconds per measured run (default 8)
  --warmup <s>           seconds of warm-up per side (default 3)
  --connections <n>      concurrent connections, the same for every side (default 32)
  --threads <n>          wrk threads (default 1)
  --flow-concurrency <n> concurrent flows in S5 (default 16)
  --rows <n>             tokens stored for S7 (default 2000000; the full test is 10000000)
  --expired <n>          of those, expired tokens for the janitor (default 1000000)
  --startups <n>         start-ups timed in S6 (default 10)
  --only <list>          scenarios to run, e.g. S1,S4,REF (default all: REF,S1,S2,S3,S4,S5,S6,S7)
  --loadgen wrk|bun      load generator (default wrk when installed, else the Bun one)
  --log-level <level>    Gatehouse LOG_LEVEL during load (default warn)
  --workers <n>          Gatehouse serve.workers: event-loop threads serving on the same ports (default 1; 2
                         adds 1.2-1.3x to S1-S4 here and 30-45 MB of RSS, see bench/README.md)
  --postgres <url>       PostgreSQL server for S2, S4, S7 (default $BENCH_POSTGRES_URL or
                         postgres://postgres@127.0.0.1:5432/postgres); databases gatehouse_bench* are recreated
  --no-build             use the existing dist/gatehouse
  --keep                 keep the work directory (databases, logs)
  --out <file>           results file (default bench/results/latest.json, or latest_subset.json with --only)
`

/** Every scenario `--only` can name, in the order a full run measures them. */
const SCENARIOS = ['REF', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7'] as const

function scenarioSet(list: string): Set<string> {
  const names = list.toUpperCase().split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n))
  if (unknown.length) throw new UsageError(`--only: unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.join(', ')})`)
  if (names.length === 0) throw new UsageError(`--only needs at least one of ${SCENARIOS.join(', ')}`)
  return new Set(names)
}

/** The options of `bun run bench`; a UsageError (or parseArgs' TypeError) says what is wrong with them. */
export function parseOptions(argv: string[], defaultOut: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
      'flow-concurrency': { type: 'string' },
      rows: { type: 'string' },
      expired: { type: 'string' },
      startups: { type: 'string' },
      only: { type: 'string' },
      loadgen: { type: 'string' },
      'log-level': { type: 'string' },
      workers: { type: 'string' },
      postgres: { type: 'string' },
      'no-build': { type: 'boolean' },
      keep: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) return 'help'
  const loadgen = values.loadgen ?? 'auto'
  if (loadgen !== 'wrk' && loadgen !== 'bun' && loadgen !== 'auto') throw new UsageError('--loadgen must be wrk or bun')
  const only = values.only === undefined ? null : scenarioSet(values.only)
  const rows = int('rows', values.rows, 2_000_000)
  const expired = int('expired', values.expired, Math.min(1_000_000, rows), 0)
  if (expired > rows) throw new UsageError('--expired cannot exceed --rows')
  return {
    rounds: int('rounds', values.rounds, 3),
    durationS: int('duration', values.duration, 8),
    warmupS: int('warmup', values.warmup, 3),
    connections: int('connections', values.connections, 32),
    threads: int('threads', values.threads, 1),
    flowConcurrency: int('flow-concurrency', values['flow-concurrency'], 16),
    rows,
    expired,
    startups: int('startups', values.startups, 10),
    only,
    loadgen,
    logLevel: values['log-level'] ?? 'warn',
    workers: int('workers', values.workers, 1),
    postgresUrl: values.postgres ?? process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    build: !values['no-build'],
    keep: values.keep ?? false,
    // A subset run does not replace the results of the last full one.
    out: values.out ?? (only ? defaultOut.replace(/\.json$/, '_subset.json') : defaultOut),
  }
}
