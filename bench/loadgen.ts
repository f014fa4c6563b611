// Fallback load generator when wrk is not installed: keep-alive fetch from N concurrent loops for a fixed
// time. Run by bench/lib/load.ts as its own process (so its CPU use is measured apart from the server's);
// prints one `LOADJSON {…}` line. Latencies go into 10 µs buckets up to 10 s.
import { readJob } from './lib/cli.ts'
import type { RequestSpec } from './lib/load.ts'

interface Job {
  spec: RequestSpec
  connections: number
  durationS: number
}

const job = (await readJob(process.argv.slice(2), 'bench/lib/load.ts')) as Job
const BUCKET_US = 10
const buckets = new Uint32Array(1_000_000)
let requests = 0
let non2xx = 0
let socketErrors = 0
let next = 0

const started = performance.now()
const deadline = started + job.durationS * 1000

async function loop() {
  const { spec } = job
  while (performance.now() < deadline) {
    const body = spec.bodies.length ? spec.bodies[next++ % spec.bodies.length] : undefined
    const t0 = performance.now()
    try {
      const res = await fetch(spec.url, { method: spec.method, headers: spec.headers, body, keepalive: true })
      await res.arrayBuffer()
      if (res.status >= 400) non2xx++
      const us = Math.min(buckets.length - 1, Math.floor(((performance.now() - t0) * 1000) / BUCKET_US))
      buckets[us]!++
      requests++
    } catch {
      socketErrors++
    }
  }
}

function percentile(p: number): number {
  const target = Math.ceil((requests * p) / 100)
  let seen = 0
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!
    if (seen >= target) return ((i + 1) * BUCKET_US) / 1000
  }
  return 0
}

await Promise.all(Array.from({ length: job.connections }, loop))
const durationS = (performance.now() - started) / 1000
console.log(`LOADJSON ${JSON.stringify({ requests, durationS, p50Ms: percentile(50), p99Ms: percentile(99), non2xx, socketErrors })}`)
