import type { Contender, ContestResult } from './contest.ts'
import { runLoad, type LoadTool, type RequestSpec } from './load.ts'
import type { BenchOptions } from './options.ts'

/** Everything a scenario needs from the run. */
export interface BenchContext {
  opts: BenchOptions
  workdir: string
  /** The copy of dist/gatehouse this run executes. */
  binary: string
  tool: LoadTool
  /** PostgreSQL server URL, or null when it is not reachable (PostgreSQL scenarios are skipped). */
  pg: string | null
  /** SQLite and PostgreSQL stores shared by S1, S2, S4, S5 and S6. */
  sqliteDsn: string
  pgDsn: string | null
  log(line: string): void
  results: BenchResults
}

export interface StartupResult {
  store: string
  runs: number
  medianMs: number
  minMs: number
  maxMs: number
}

export interface GrowthJanitor {
  store: string
  deleted: number
  expiredBefore: number
  expiredAfter: number
  totalBefore: number
  totalAfter: number
  seconds: number
  rowsPerSecond: number
  peakRssMb: number
  /** Peak RSS of the same command with nothing left to delete. */
  idlePeakRssMb: number
}

export interface BenchResults {
  contests: ContestResult[]
  startup: StartupResult[]
  firstStartMs: number | null
  idleRssMb: number | null
  binaryBytes: number | null
  growth: { rows: number; expired: number; seedSeconds: Record<string, number>; janitor: GrowthJanitor[] }
  references: { label: string; rps: number; runs: number[]; tool: string; note: string }[]
  notes: string[]
}

export const emptyResults = (): BenchResults => ({
  contests: [],
  startup: [],
  firstStartMs: null,
  idleRssMb: null,
  binaryBytes: null,
  growth: { rows: 0, expired: 0, seedSeconds: {}, janitor: [] },
  references: [],
  notes: [],
})

/** A contender driven by the load generator with one request shape. */
export function loadContender(ctx: BenchContext, label: string, role: Contender['role'], pid: number, spec: RequestSpec): Contender {
  const { connections, threads } = ctx.opts
  return {
    label,
    role,
    drive: (durationS) => runLoad(ctx.tool, spec, { connections, threads, durationS, serverPid: pid }, ctx.workdir),
  }
}

/** Runs `fn`, which registers the servers it starts with `track`; all are stopped afterwards, whatever happens. */
export async function withServers<T>(fn: (track: <P extends { stop(): Promise<void> }>(p: P) => P) => Promise<T>): Promise<T> {
  const started: { stop(): Promise<void> }[] = []
  try {
    return await fn((p) => {
      started.push(p)
      return p
    })
  } finally {
    for (const p of started.reverse()) await p.stop().catch(() => {})
  }
}

export const wants = (ctx: BenchContext, id: string) => ctx.opts.only === null || ctx.opts.only.has(id)
