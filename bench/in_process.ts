// CPU per request of the application alone: the apps of src/app.ts over a SQLite file store, driven by
// `app.handle(new Request(…))` from 32 concurrent lanes, with no sockets and no HTTP parsing. Set against
// the server's CPU per request under wrk, it says how much is Gatehouse's own work and how much the HTTP
// server's; it is also a quieter before/after than wrk on a shared machine.
// `flows` runs S5's flow (bench/lib/flow_steps.ts) with its fetch routed to the two apps; `steps` runs the same
// flow one at a time and splits its CPU by step.
//   bun bench/in_process.ts [cc|cc-jwt|introspect|flows|steps] [--rounds 5] [--requests 30000] [--id-token-alg RS256]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../src/app.ts'
import { createCore } from '../src/context.ts'
import { loadConfig } from '../src/config/load.ts'
import { migrate } from '../src/store/migrate.ts'
import { SqliteDriver } from '../src/store/sqlite/driver.ts'
import { SqlStore } from '../src/store/sql/store.ts'
import { ALGS, intOption, LOADS, oneOf, parseCli, UsageError } from './lib/cli.ts'
import { runOneFlow, type FlowTarget } from './lib/flow_steps.ts'
import { BASIC, BENCH_SYSTEM_SECRET, WEB_CLIENT, createBenchClients } from './lib/gatehouse.ts'
import { CC_BODY } from './lib/requests.ts'
import { fmt, median } from './lib/stats.ts'

const IN_PROCESS_LOADS = [...LOADS, 'steps'] as const
const USAGE = `Usage: bun bench/in_process.ts [cc|cc-jwt|introspect|flows|steps] [options]

CPU per request (per flow for flows) of the application alone, driven through app.handle over a SQLite file.
steps runs S5's flow one at a time and prints the CPU of each of its requests.

  --rounds <n>              measured rounds (default 5)
  --requests <n>            requests per round (default 30000; flows and steps run a twentieth as many flows)
  --id-token-alg RS256|ES256  ID token algorithm for flows and steps (default RS256, as in S5)`
const { load, rounds, requests, idTokenAlg } = parseCli(USAGE, { rounds: { type: 'string' }, requests: { type: 'string' }, 'id-token-alg': { type: 'string' } }, ({ values, positionals }) => {
  if (positionals.length > 1) throw new UsageError(`one load at most, got ${positionals.join(' ')}`)
  return {
    load: oneOf('the load', positionals[0], IN_PROCESS_LOADS, 'cc'),
    rounds: intOption('rounds', values.rounds, 5),
    requests: intOption('requests', values.requests, 30_000, 20),
    idTokenAlg: oneOf('--id-token-alg', values['id-token-alg'], ALGS, 'RS256'),
  }
})
const flows = load === 'flows' || load === 'steps'
const LANES = load === 'steps' ? 1 : load === 'flows' ? 16 : 32
const ISSUER = 'https://127.0.0.1:4444'
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

const workdir = mkdtempSync(join(tmpdir(), 'gatehouse-in-process-'))
const store = new SqlStore(new SqliteDriver(join(workdir, 'gatehouse.sqlite')))
try {
  await migrate(store.driver)
  const config = loadConfig({
    overrides: {
      'urls.self.issuer': ISSUER,
      'urls.login': 'http://127.0.0.1:9/login',
      'urls.consent': 'http://127.0.0.1:9/consent',
      'keys.rsa_modulus_length': 2048,
      'secrets.system': [BENCH_SYSTEM_SECRET],
      'strategies.access_token': load === 'cc-jwt' ? 'jwt' : 'opaque',
      'keys.algorithms.access_token': 'ES256',
      'keys.algorithms.id_token': idTokenAlg,
      'log.level': 'warn',
    },
  })
  const { publicApp, adminApp } = buildApp({ core: createCore({ config, store }) })
  await createBenchClients({ adminUrl: 'http://admin' }, (request) => adminApp.handle(request))
  const tokenRequest = () => new Request('http://public/oauth2/token', { method: 'POST', headers: { ...FORM, authorization: BASIC }, body: CC_BODY })
  /** One request (or one flow) of the load; throws when it does not succeed. */
  let step: (i: number) => Promise<void>
  /** CPU of each step of the flow in this round (steps only), by step name. */
  let stepCpu = new Map<string, number>()
  if (flows) {
    const route = (req: Request) => (new URL(req.url).host === 'admin' ? adminApp.handle(req) : publicApp.handle(req))
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(String(input), init)
      if (load !== 'steps') return route(req)
      const name = stepName(req, init)
      const cpu = process.cpuUsage()
      const res = await route(req)
      const body = await res.arrayBuffer()
      const used = process.cpuUsage(cpu)
      stepCpu.set(name, (stepCpu.get(name) ?? 0) + used.user + used.system)
      return new Response(body, res)
    }) as typeof fetch
    const target: FlowTarget = {
      kind: 'gatehouse',
      publicUrl: 'http://public',
      adminUrl: 'http://admin',
      issuer: ISSUER,
      clientId: WEB_CLIENT.id,
      clientSecret: WEB_CLIENT.secret,
      redirectUri: WEB_CLIENT.redirectUri,
    }
    step = (i) => runOneFlow(target, `user-${i}`)
  } else {
    const tokens: string[] = []
    if (load === 'introspect') {
      for (let i = 0; i < 500; i++) tokens.push(((await (await publicApp.handle(tokenRequest())).json()) as { access_token: string }).access_token)
    }
    const app = load === 'introspect' ? adminApp : publicApp
    const request =
      load === 'introspect'
        ? (i: number) => new Request('http://admin/admin/oauth2/introspect', { method: 'POST', headers: FORM, body: `token=${tokens[i % tokens.length]}` })
        : tokenRequest
    step = async (i) => {
      const res = await app.handle(request(i))
      await res.arrayBuffer()
      if (res.status !== 200) throw new Error(`request ${i} answered ${res.status}`)
    }
  }

  const drive = async (n: number) => {
    let next = 0
    const lane = async () => {
      while (next < n) await step(next++)
    }
    await Promise.all(Array.from({ length: LANES }, lane))
  }

  const n = flows ? Math.ceil(requests / 20) : requests
  await drive(Math.min(n, 20_000))
  const perRequest: number[] = []
  const unit = flows ? 'flow' : 'request'
  const perStep = new Map<string, number[]>()
  for (let round = 1; round <= rounds; round++) {
    stepCpu = new Map()
    const cpu = process.cpuUsage()
    const t0 = performance.now()
    await drive(n)
    const used = process.cpuUsage(cpu)
    const us = (used.user + used.system) / n
    perRequest.push(us)
    for (const [name, total] of stepCpu) {
      if (!perStep.has(name)) perStep.set(name, [])
      perStep.get(name)!.push(total / n)
    }
    console.log(`${load} round ${round}: ${fmt(us, 1)} µs CPU per ${unit} (system ${fmt(used.system / n, 1)}), ${fmt((n * 1000) / (performance.now() - t0))} ${unit}s/s`)
  }
  console.log(`${load}: median ${fmt(median(perRequest), 1)} µs CPU per ${unit}, whole process (the checkpointer and signing threads included)`)
  if (perStep.size) {
    console.log(`\nper step, one flow at a time (median of the rounds, µs CPU; ID tokens ${idTokenAlg}):`)
    for (const [name, values] of perStep) console.log(`${fmt(median(values), 1).padStart(9)}  ${name}`)
  }
} finally {
  await store.close()
  rmSync(workdir, { recursive: true, force: true })
}

/** The name of one request of S5's flow: its method and path, the verifier it carries, the grant it asks for. */
function stepName(req: Request, init: RequestInit | undefined): string {
  const url = new URL(req.url)
  const verifier = ['login_verifier', 'consent_verifier'].find((v) => url.searchParams.has(v))
  const grant = typeof init?.body === 'string' ? new URLSearchParams(init.body).get('grant_type') : null
  return `${req.method} ${url.pathname}${verifier ? ` (${verifier})` : ''}${grant ? ` (${grant})` : ''}`
}
