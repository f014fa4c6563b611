import type { ContestResult } from './contest.ts'
import type { BenchResults } from './context.ts'
import type { Machine } from './machine.ts'
import type { BenchOptions } from './options.ts'
import { fmt } from './stats.ts'

export interface ReportInput {
  startedAt: string
  finishedAt: string
  machine: Machine
  loadEnd: number[]
  opts: BenchOptions
  tool: string
  results: BenchResults
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`
const rule = (n: number) => row(Array.from({ length: n }, () => '---'))
const yesNo = (met: boolean | null) => (met === null ? '–' : met ? 'yes' : '**no**')
const lat = (p50: number, p99: number) => `${fmt(p50, 1)} / ${fmt(p99, 1)}`

/** The ratio column: the ratio, or why none is given. */
export function ratioCell(c: ContestResult): string {
  if (c.refused) return `refused: ${c.refused}`
  return c.ratio === null ? '–' : `${fmt(c.ratio, 2)}×`
}

function peerContests(contests: ContestResult[]): string[] {
  const lines = [
    row(['Scenario', 'Gatehouse', 'p50 / p99 ms', 'oidc-provider (better runtime)', 'p50 / p99 ms', 'Ratio', 'Target', 'Met']),
    rule(8),
  ]
  for (const c of contests) {
    const b = c.baseline
    const runtime = b ? (/\((\w+)\)/.exec(b.label)?.[1] ?? b.label) : ''
    lines.push(
      row([
        `${c.id} ${c.title}`,
        `${fmt(c.subject.rps)} ${c.unit}`,
        lat(c.subject.p50Ms, c.subject.p99Ms),
        b ? `${fmt(b.rps)} ${c.unit} (${runtime})` : '–',
        b ? lat(b.p50Ms, b.p99Ms) : '–',
        ratioCell(c),
        c.target === null ? '–' : `≥ ${c.target}×`,
        yesNo(c.met),
      ]),
    )
  }
  return lines
}

function peerRuntimeLines(contests: ContestResult[]): string[] {
  return contests.map((c) => {
    const sides = c.sides.map((s) => {
      const errors = s.errors || s.warmupErrors ? `; ${fmt(s.errors)} errors, ${fmt(s.warmupErrors)} in warm-up` : ''
      return `${s.label} ${fmt(s.rps)} (${s.runs.map((r) => fmt(r.rps)).join(', ')}; ${fmt(s.serverCores, 2)} server cores, load generator ${fmt(s.loadgenCores, 2)} cores, peak RSS ${fmt(s.peakRssMb)} MB${errors})`
    })
    return `- ${c.id}: ${sides.join('; ')}`
  })
}

function startupLines(r: BenchResults, contests: ContestResult[]): string[] {
  const underLoad = contests.filter((c) => c.id.startsWith('S') && !c.id.startsWith('S7')).map((c) => c.subject.peakRssMb)
  const peak = underLoad.length ? Math.max(...underLoad) : null
  const lines = [row(['S6 measure', 'Value', 'Target', 'Met']), rule(4)]
  for (const s of r.startup) {
    lines.push(
      row([
        `start-up to /health/ready, ${s.store} (median of ${s.runs}; min ${fmt(s.minMs)}, max ${fmt(s.maxMs)})`,
        `${fmt(s.medianMs)} ms`,
        '< 200 ms',
        yesNo(s.medianMs < 200),
      ]),
    )
  }
  if (r.firstStartMs !== null) lines.push(row(['first start on a new SQLite store (generates the RSA-2048 and ES256 key sets)', `${fmt(r.firstStartMs)} ms`, '–', '–']))
  if (r.idleRssMb !== null) lines.push(row(['RSS idle (SQLite, 1 s after ready)', `${fmt(r.idleRssMb)} MB`, '–', '–']))
  if (peak !== null) lines.push(row(['RSS under load (peak over the Gatehouse runs of S1–S5; one process, every thread)', `${fmt(peak)} MB`, '< 150 MB', yesNo(peak < 150)]))
  if (r.binaryBytes !== null) lines.push(row(['binary size (dist/gatehouse)', `${fmt(r.binaryBytes / 2 ** 20, 1)} MB`, '–', '–']))
  return lines
}

function growthLines(r: BenchResults, contests: ContestResult[]): string[] {
  const g = r.growth
  const lines: string[] = []
  const s7 = contests.filter((c) => c.id.startsWith('S7'))
  if (s7.length) {
    lines.push(
      row(['S7 store', `Gatehouse, ${fmt(g.rows)} tokens stored`, 'p50 / p99 ms', 'Gatehouse, empty store', 'p50 / p99 ms', 'Ratio', 'Target', 'Met']),
      rule(8),
    )
    for (const c of s7) {
      const b = c.baseline!
      lines.push(
        row([c.id.slice(3), `${fmt(c.subject.rps)} req/s`, lat(c.subject.p50Ms, c.subject.p99Ms), `${fmt(b.rps)} req/s`, lat(b.p50Ms, b.p99Ms), ratioCell(c), '≥ 0.8×', yesNo(c.met)]),
      )
    }
    const seeded = Object.entries(g.seedSeconds).map(([k, v]) => `${k} ${fmt(v)} s`).join(', ')
    lines.push('', `Seeded with bulk SQL (${seeded}); ${fmt(g.expired)} of the ${fmt(g.rows)} tokens had expired.`)
  }
  if (g.janitor.length) {
    lines.push('', row(['S7 janitor', 'Deleted', 'Time', 'Rows/s', 'Peak RSS', 'Peak RSS, nothing to delete', 'Expired left']), rule(7))
    for (const j of g.janitor) {
      lines.push(
        row([j.store, fmt(j.deleted), `${fmt(j.seconds, 1)} s`, fmt(j.rowsPerSecond), `${fmt(j.peakRssMb)} MB`, `${fmt(j.idlePeakRssMb)} MB`, fmt(j.expiredAfter)]),
      )
    }
  }
  return lines
}

function referenceLines(r: BenchResults, contests: ContestResult[]): string[] {
  const byId = (id: string) => contests.find((c) => c.id === id)
  const lines = [row(['Reference (same run)', 'Median', 'Gatehouse as a fraction of it']), rule(3)]
  for (const ref of r.references) {
    const ids = ref.label.startsWith('bare') ? ['S1', 'S3 ES256', 'S3 RS256', 'S4 SQLite'] : ['S2', 'S4 PostgreSQL']
    const fractions = ids
      .map((id) => byId(id))
      .filter((c): c is ContestResult => !!c)
      .map((c) => `${c.id} ${fmt((100 * c.subject.rps) / ref.rps, 1)}%${c.baseline ? ` (peer ${fmt((100 * c.baseline.rps) / ref.rps, 1)}%)` : ''}`)
    lines.push(row([`${ref.label}: ${ref.note}`, `${fmt(ref.rps)} /s`, fractions.join('; ') || '–']))
  }
  return lines
}

/** The human-readable report: header, tables and notes, in Markdown. */
export function renderReport(input: ReportInput): string {
  const { machine: m, opts, results: r } = input
  const contests = r.contests
  const vsPeer = contests.filter((c) => !c.id.startsWith('S7'))
  const load =
    input.tool === 'wrk'
      ? `wrk -t${opts.threads} -c${opts.connections}`
      : `the Bun load generator (bench/loadgen.ts), ${opts.connections} connections`
  const lines = [
    `Gatehouse vs oidc-provider, ${input.startedAt} to ${input.finishedAt}`,
    '',
    `Build: ${m.build ? `commit ${m.build}` : 'not a git checkout'}.`,
    `Machine: ${m.host}, ${m.cpu} (${m.cpuFlags.length ? m.cpuFlags.join(' ') : 'flags unknown'}), ${m.cores} cores, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}; Bun ${m.bun}, Node ${m.node ?? 'not installed'}, ` +
      `${m.wrk ?? 'wrk not installed'}, ${m.postgres ?? 'PostgreSQL not reachable'}.`,
    `Load average at start ${m.loadavg.join(' / ')}, at end ${input.loadEnd.join(' / ')} (the machine is shared; alternation and ratios are the defence).`,
    `Method: ${load}; per scenario ${opts.warmupS} s warm-up per side, then ${opts.rounds} rounds × ${opts.durationS} s per side in rotating order; ` +
      `medians of the rounds. S5 uses ${opts.flowConcurrency} concurrent flows from a Bun client. Gatehouse: production mode, serve.workers=${opts.workers}, LOG_LEVEL=${opts.logLevel}, ` +
      'default PBKDF2 client-secret hash (25,000 iterations), RSA keys of 2048 bits as the peer’s. Peer: oidc-provider with its in-memory adapter, ' +
      'on Node and on Bun; the better runtime is compared.',
    '',
    ...peerContests(vsPeer),
    '',
    ...startupLines(r, contests),
    '',
    ...growthLines(r, contests),
    '',
    ...referenceLines(r, contests),
    '',
    'Per side (median, the rounds, CPU cores used by the server and by the load generator, peak RSS, errors if any):',
    ...peerRuntimeLines(contests),
  ]
  if (r.notes.length) lines.push('', 'Notes:', ...r.notes.map((n) => `- ${n}`))
  return lines.join('\n')
}
