import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FlowTarget } from './flow_steps.ts'
import type { LoadResult } from './load.ts'
import { cpuSeconds, procStatus, runCommand } from './proc.ts'

export interface FlowLoadOptions {
  concurrency: number
  durationS: number
  serverPid: number
}

/** S5: complete flows per second from the flow client, with the server sampled like a wrk run. */
export async function runFlows(target: FlowTarget, opts: FlowLoadOptions, workdir: string): Promise<LoadResult & { firstError: string }> {
  const file = join(workdir, `flows-${process.pid}-${Math.random().toString(36).slice(2)}.json`)
  const job = { target, concurrency: opts.concurrency, durationS: opts.durationS, maxFlows: 1_000_000 }
  writeFileSync(file, JSON.stringify(job))
  const pid = opts.serverPid
  const cpu0 = cpuSeconds(pid)
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, procStatus(pid).rss)), 100)
  const t0 = performance.now()
  try {
    const script = join(import.meta.dir, '..', 'flow_client.ts')
    const r = await runCommand([process.execPath, script, file], { timeoutMs: (opts.durationS + 60) * 1000 })
    const wall = (performance.now() - t0) / 1000
    const m = /FLOWJSON (\{.*\})/.exec(r.stdout)
    if (r.code !== 0 || !m) throw new Error(`flow client failed (exit ${r.code}): ${r.stderr || r.stdout}`)
    const j = JSON.parse(m[1]!) as { flows: number; durationS: number; p50Ms: number; p99Ms: number; errors: number; firstError: string }
    peak = Math.max(peak, procStatus(pid).rss)
    return {
      tool: 'bun flow client',
      requests: j.flows,
      durationS: j.durationS,
      rps: j.flows / j.durationS,
      p50Ms: j.p50Ms,
      p99Ms: j.p99Ms,
      non2xx: j.errors,
      socketErrors: 0,
      loadgenCores: r.cpuSeconds / wall,
      serverCores: (cpuSeconds(pid) - cpu0) / wall,
      serverPeakRss: peak,
      firstError: j.firstError,
    }
  } finally {
    clearInterval(sampler)
  }
}
