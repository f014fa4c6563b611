import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cpuSeconds, procStatus, runCommand } from './proc.ts'

/** One HTTP request shape; with several bodies the load generator cycles through them. */
export interface RequestSpec {
  url: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  bodies: string[]
}

export interface LoadOptions {
  connections: number
  threads: number
  durationS: number
  /** The server under load, sampled for CPU and peak RSS. */
  serverPid?: number
}

/** What one load run measured. */
export interface LoadResult {
  tool: string
  requests: number
  durationS: number
  rps: number
  p50Ms: number
  p99Ms: number
  /** Responses other than 2xx/3xx. */
  non2xx: number
  /** Socket errors: connect, read, write and timeouts. */
  socketErrors: number
  /** CPU cores the load generator used on average. */
  loadgenCores: number
  /** CPU cores the server used on average. */
  serverCores: number
  /** Peak RSS of the server during the run, bytes. */
  serverPeakRss: number
}

export type LoadTool = 'wrk' | 'bun'

/** Whether wrk is installed. */
export function haveWrk(): boolean {
  return Bun.which('wrk') !== null
}

const lua = (s: string) => JSON.stringify(s)

/** A wrk script: the request (or a cycle of prepared ones) and a JSON summary printed at the end. */
function wrkScript(spec: RequestSpec): string {
  const headers = Object.entries(spec.headers)
    .map(([k, v]) => `[${lua(k)}] = ${lua(v)}`)
    .join(', ')
  const lines = [`local method, headers = ${lua(spec.method)}, { ${headers} }`]
  if (spec.bodies.length <= 1) {
    lines.push(`wrk.method = method`, `wrk.headers = headers`)
    if (spec.bodies[0]) lines.push(`wrk.body = ${lua(spec.bodies[0])}`)
  } else {
    // Prepared once per thread, so request() only picks the next string.
    lines.push(
      `local bodies = { ${spec.bodies.map(lua).join(', ')} }`,
      `local reqs, i = {}, 0`,
      `init = function(args) for k, b in ipairs(bodies) do reqs[k] = wrk.format(method, nil, headers, b) end end`,
      `request = function() i = i % #reqs + 1; return reqs[i] end`,
    )
  }
  lines.push(
    `done = function(s, latency, requests)`,
    `  local e = s.errors`,
    `  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p99":%d}\\n',`,
    `    s.requests, s.duration, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))`,
    `end`,
  )
  return lines.join('\n') + '\n'
}

interface RawSummary {
  requests: number
  durationS: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  socketErrors: number
}

async function runWrk(spec: RequestSpec, opts: LoadOptions, workdir: string): Promise<RawSummary & { loadgenCpu: number }> {
  const script = join(workdir, `wrk-${process.pid}-${Math.random().toString(36).slice(2)}.lua`)
  writeFileSync(script, wrkScript(spec))
  const args = ['wrk', `-t${opts.threads}`, `-c${opts.connections}`, `-d${opts.durationS}s`, '--timeout', '5s', '-s', script, spec.url]
  const r = await runCommand(args, { timeoutMs: (opts.durationS + 30) * 1000 })
  const m = /WRKJSON (\{.*\})/.exec(r.stdout)
  if (r.code !== 0 || !m) throw new Error(`wrk failed (exit ${r.code}): ${r.stderr || r.stdout}`)
  const j = JSON.parse(m[1]!) as Record<string, number>
  const durationS = j.duration_us! / 1e6
  return {
    requests: j.requests!,
    durationS,
    p50Ms: j.p50! / 1000,
    p99Ms: j.p99! / 1000,
    non2xx: j.status!,
    socketErrors: j.connect! + j.read! + j.write! + j.timeout!,
    loadgenCpu: r.cpuSeconds,
  }
}

async function runBunLoadgen(spec: RequestSpec, opts: LoadOptions, workdir: string): Promise<RawSummary & { loadgenCpu: number }> {
  const file = join(workdir, `loadgen-${process.pid}-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(file, JSON.stringify({ spec, connections: opts.connections, durationS: opts.durationS }))
  const r = await runCommand(['bun', join(import.meta.dir, '..', 'loadgen.ts'), file], { timeoutMs: (opts.durationS + 30) * 1000 })
  const m = /LOADJSON (\{.*\})/.exec(r.stdout)
  if (r.code !== 0 || !m) throw new Error(`bun load generator failed (exit ${r.code}): ${r.stderr || r.stdout}`)
  return { ...(JSON.parse(m[1]!) as RawSummary), loadgenCpu: r.cpuSeconds }
}

/** Drives one request shape for a fixed time and samples the server while it runs. */
export async function runLoad(tool: LoadTool, spec: RequestSpec, opts: LoadOptions, workdir: string): Promise<LoadResult> {
  const pid = opts.serverPid
  const cpu0 = pid ? cpuSeconds(pid) : 0
  let peak = 0
  const sampler = pid ? setInterval(() => (peak = Math.max(peak, procStatus(pid).rss)), 100) : undefined
  const t0 = performance.now()
  try {
    const raw = tool === 'wrk' ? await runWrk(spec, opts, workdir) : await runBunLoadgen(spec, opts, workdir)
    const wall = (performance.now() - t0) / 1000
    if (pid) peak = Math.max(peak, procStatus(pid).rss)
    return {
      tool,
      requests: raw.requests,
      durationS: raw.durationS,
      rps: raw.requests / raw.durationS,
      p50Ms: raw.p50Ms,
      p99Ms: raw.p99Ms,
      non2xx: raw.non2xx,
      socketErrors: raw.socketErrors,
      loadgenCores: raw.loadgenCpu / wall,
      serverCores: pid ? (cpuSeconds(pid) - cpu0) / wall : 0,
      serverPeakRss: peak,
    }
  } finally {
    clearInterval(sampler)
  }
}
