// CPU per request of the application alone: the apps of src/app.ts over a SQLite file store, driven by
// `app.handle(new Request(…))` from 32 concurrent lanes, with no sockets and no HTTP parsing. Set against
// the server's CPU per request under wrk, it says how much is Gatehouse's own work and how much the HTTP
// server's; it is also a quieter before/after than wrk on a shared machine.
// `flows` runs S5's flow (bench/lib/flow_steps.ts) with its fetch routed to the two apps.
//   bun bench/in_process.ts [cc|cc-jwt|introspect|flows] [--rounds 5] [--requests 30000]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/load.ts'
import { migrate } from '../src/store/migrate.ts'
import { SqliteDriver } from '../src/store/sqlite/driver.ts'
import { SqlStore } from '../src/store/sql/store.ts'
import { runOneFlow, type FlowTarget } from './lib/flow_steps.ts'
import { BASIC, BENCH_SYSTEM_SECRET, WEB_CLIENT, createBenchClients } from './lib/gatehouse.ts'
import { CC_BODY } from './lib/requests.ts'
import { fmt, median } from './lib/stats.ts'

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '5' }, requests: { type: 'string', default: '30000' } },
})
const load = positionals[0] ?? 'cc'
if (!['cc', 'cc-jwt', 'introspect', 'flows'].includes(load)) throw new Error('usage: bun bench/in_process.ts [cc|cc-jwt|introspect|flows]')
const LANES = load === 'flows' ? 16 : 32
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
      'log.level': 'warn',
    },
  })
  const { publicApp, adminApp } = buildApp({ config, store })
  await createBenchClients({ adminUrl: 'http://admin' }, (request) => adminApp.handle(request))
  const tokenRequest = () => new Request('http://public/oauth2/token', { method: 'POST', headers: { ...FORM, authorization: BASIC }, body: CC_BODY })
  /** One request (or one flow) of the load; throws when it does not succeed. */
  let step: (i: number) => Promise<void>
  if (load === 'flows') {
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(String(input), init)
      return new URL(req.url).host === 'admin' ? adminApp.handle(req) : publicApp.handle(req)
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

  const n = load === 'flows' ? Math.ceil(Number(values.requests) / 20) : Number(values.requests)
  await drive(Math.min(n, 20_000))
  const perRequest: number[] = []
  const unit = load === 'flows' ? 'flow' : 'request'
  for (let round = 1; round <= Number(values.rounds); round++) {
    const cpu = process.cpuUsage()
    const t0 = performance.now()
    await drive(n)
    const used = process.cpuUsage(cpu)
    const us = (used.user + used.system) / n
    perRequest.push(us)
    console.log(`${load} round ${round}: ${fmt(us, 1)} µs CPU per ${unit} (system ${fmt(used.system / n, 1)}), ${fmt((n * 1000) / (performance.now() - t0))} ${unit}s/s`)
  }
  console.log(`${load}: median ${fmt(median(perRequest), 1)} µs CPU per ${unit}, whole process (the checkpointer and signing threads included)`)
} finally {
  await store.close()
  rmSync(workdir, { recursive: true, force: true })
}
