// S5 load client: N concurrent loops each running complete authorization code flows (authorize, login,
// consent, code exchange, refresh) for a fixed time. Run by bench/lib/flows.ts as its own process, so its
// CPU use is measured apart from the server's; prints one `FLOWJSON {…}` line.
import { readJob } from './lib/cli.ts'
import { FlowError, runOneFlow, type FlowTarget } from './lib/flow_steps.ts'
import { median } from './lib/stats.ts'

interface Job {
  target: FlowTarget
  concurrency: number
  durationS: number
  /** Upper bound on flows, whatever the time. */
  maxFlows: number
}

const job = (await readJob(process.argv.slice(2), 'bench/lib/flows.ts')) as Job
const latencies: number[] = []
let errors = 0
let firstError = ''
let started = 0

const t0 = performance.now()
const deadline = t0 + job.durationS * 1000

async function loop(worker: number) {
  while (performance.now() < deadline && started < job.maxFlows) {
    const n = started++
    const s = performance.now()
    try {
      await runOneFlow(job.target, `user-${worker}-${n}`)
      latencies.push(performance.now() - s)
    } catch (err) {
      errors++
      if (!firstError) firstError = err instanceof FlowError ? err.message : String(err)
    }
  }
}

await Promise.all(Array.from({ length: job.concurrency }, (_, i) => loop(i)))
const durationS = (performance.now() - t0) / 1000
latencies.sort((a, b) => a - b)
const p99 = latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)]! : 0
const out = { flows: latencies.length, durationS, p50Ms: median(latencies), p99Ms: p99, errors, firstError }
console.log(`FLOWJSON ${JSON.stringify(out)}`)
