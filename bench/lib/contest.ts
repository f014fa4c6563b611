import type { LoadResult } from './load.ts'
import { loadNow } from './machine.ts'
import { fmt, mb, median } from './stats.ts'

/** One side of an A/B comparison: a running server and how to drive it for a while. */
export interface Contender {
  label: string
  /** `subject` is measured against the best `baseline` (Gatehouse against the peer, a full store against an empty one). */
  role: 'subject' | 'baseline'
  drive(durationS: number): Promise<LoadResult>
}

export interface SideSummary {
  label: string
  runs: LoadResult[]
  rps: number
  p50Ms: number
  p99Ms: number
  /** Non-2xx responses plus socket errors over the measured runs. */
  errors: number
  warmupErrors: number
  peakRssMb: number
  serverCores: number
  loadgenCores: number
}

export interface ContestResult {
  id: string
  title: string
  /** The ratio Gatehouse must reach, or null when there is none. */
  target: number | null
  unit: string
  sides: SideSummary[]
  subject: SideSummary
  /** The baseline compared (of several peer runtimes, the one with the higher median). */
  baseline: SideSummary | null
  ratio: number | null
  /** Why no ratio is given, when it is not. */
  refused: string | null
  met: boolean | null
}

export interface ContestOptions {
  rounds: number
  durationS: number
  warmupS: number
  unit?: string
  log: (line: string) => void
}

const errorsOf = (r: LoadResult) => r.non2xx + r.socketErrors

function summarize(label: string, runs: LoadResult[], warmupErrors: number): SideSummary {
  return {
    label,
    runs,
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    errors: runs.reduce((n, r) => n + errorsOf(r), 0),
    warmupErrors,
    peakRssMb: mb(Math.max(...runs.map((r) => r.serverPeakRss))),
    serverCores: median(runs.map((r) => r.serverCores)),
    loadgenCores: median(runs.map((r) => r.loadgenCores)),
  }
}

/**
 * Warms every contender up, then runs them in alternation, `rounds` times, the order rotating each round,
 * so that drift in the machine's load falls on every side alike; reports medians and the ratio of the subject
 * to the better baseline. No ratio when either compared side had an error in a measured run.
 */
export async function contest(
  id: string,
  title: string,
  target: number | null,
  contenders: Contender[],
  o: ContestOptions,
): Promise<ContestResult> {
  const unit = o.unit ?? 'req/s'
  const warmupErrors = new Map<string, number>()
  for (const c of contenders) {
    const w = await c.drive(o.warmupS)
    warmupErrors.set(c.label, errorsOf(w))
    o.log(`${id} warm-up ${c.label}: ${fmt(w.rps)} ${unit}${errorsOf(w) ? `, ${errorsOf(w)} errors` : ''}`)
  }
  const runs = new Map<string, LoadResult[]>(contenders.map((c) => [c.label, []]))
  for (let round = 0; round < o.rounds; round++) {
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!)
    for (const c of order) {
      const r = await c.drive(o.durationS)
      runs.get(c.label)!.push(r)
      const errs = errorsOf(r) ? `, ${r.non2xx} non-2xx, ${r.socketErrors} socket errors` : ''
      o.log(
        `${id} round ${round + 1}/${o.rounds} ${c.label}: ${fmt(r.rps)} ${unit}, p50 ${fmt(r.p50Ms, 2)} ms, p99 ${fmt(r.p99Ms, 2)} ms, ` +
          `server ${fmt(r.serverCores, 2)} cores, load generator ${fmt(r.loadgenCores, 2)} cores${errs} (loadavg ${loadNow()[0]})`,
      )
    }
  }
  const sides = contenders.map((c) => summarize(c.label, runs.get(c.label)!, warmupErrors.get(c.label) ?? 0))
  const subject = sides.find((_, i) => contenders[i]!.role === 'subject')!
  const baselines = sides.filter((_, i) => contenders[i]!.role === 'baseline')
  const baseline = baselines.length ? baselines.reduce((a, b) => (b.rps > a.rps ? b : a)) : null
  const problems = [subject, ...(baseline ? [baseline] : [])].filter((s) => s.errors)
  const refused = problems.length ? problems.map((s) => `${s.label} returned ${s.errors} error${s.errors === 1 ? '' : 's'}`).join('; ') : null
  const ratio = baseline && !refused ? subject.rps / baseline.rps : null
  const met = ratio === null || target === null ? null : ratio >= target
  return { id, title, target, unit, sides, subject, baseline, ratio, refused, met }
}
