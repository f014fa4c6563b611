import { contest, type Contender } from '../lib/contest.ts'
import { loadContender, wants, withServers, type BenchContext } from '../lib/context.ts'
import { createBenchClients, freshSqlite, startGatehouse, type Gatehouse } from '../lib/gatehouse.ts'
import { peerRuntimes, startPeer, type Peer } from '../lib/peer.ts'
import { checkTokenEndpoint, countActive, introspectSpec, issueTokens, tokenSpec } from '../lib/requests.ts'

export type Track = <P extends { stop(): Promise<void> }>(p: P) => P
type Alg = 'ES256' | 'RS256'

export const peerLabel = (p: Peer) => `oidc-provider (${p.runtime})`

/** Gatehouse on `dsn` with the benchmark clients, and the peer on every runtime available. */
export async function startSides(ctx: BenchContext, track: Track, name: string, dsn: string, fmt: 'opaque' | 'jwt', alg: Alg) {
  const gh: Gatehouse = await startGatehouse({
    binary: ctx.binary,
    dsn,
    workdir: ctx.workdir,
    name: `${name}-gatehouse`,
    logLevel: ctx.opts.logLevel, workers: ctx.opts.workers,
    strategy: fmt,
    alg,
  })
  track(gh.proc)
  await createBenchClients(gh)
  const peers: Peer[] = []
  for (const runtime of peerRuntimes()) {
    const peer = await startPeer(runtime, { workdir: ctx.workdir, fmt, alg, name: `${name}-peer` })
    track(peer.proc)
    peers.push(peer)
  }
  return { gh, peers }
}

const contestOptions = (ctx: BenchContext) => ({
  rounds: ctx.opts.rounds,
  durationS: ctx.opts.durationS,
  warmupS: ctx.opts.warmupS,
  log: ctx.log,
})

/** S1, S2, S3: client_credentials token requests per second. */
async function clientCredentials(ctx: BenchContext, id: string, title: string, target: number, dsn: string, fmt: 'opaque' | 'jwt', alg: Alg) {
  ctx.log(`${id}: ${title}`)
  await withServers(async (track) => {
    const { gh, peers } = await startSides(ctx, track, id.replace(/\s+/g, '-'), dsn, fmt, alg)
    const expectAlg = fmt === 'jwt' ? alg : null
    const ghUrl = `${gh.publicUrl}/oauth2/token`
    await checkTokenEndpoint('Gatehouse', ghUrl, expectAlg)
    const contenders: Contender[] = [loadContender(ctx, 'Gatehouse', 'subject', gh.proc.pid, tokenSpec(ghUrl))]
    for (const p of peers) {
      await checkTokenEndpoint(peerLabel(p), `${p.url}/token`, expectAlg)
      contenders.push(loadContender(ctx, peerLabel(p), 'baseline', p.proc.pid, tokenSpec(`${p.url}/token`)))
    }
    ctx.results.contests.push(await contest(id, title, target, contenders, contestOptions(ctx)))
  })
}

/** Tokens introspected in S4, per side (the peer's in-memory store keeps the last 1,000 entries). */
const INTROSPECTED_TOKENS = 500

/** S4: introspection of opaque tokens issued just before; every token is checked active before and after. */
async function introspection(ctx: BenchContext, id: string, title: string, dsn: string) {
  ctx.log(`${id}: ${title}`)
  await withServers(async (track) => {
    const { gh, peers } = await startSides(ctx, track, id.replace(/\s+/g, '-'), dsn, 'opaque', 'ES256')
    const sides = [
      { label: 'Gatehouse', pid: gh.proc.pid, token: `${gh.publicUrl}/oauth2/token`, introspect: `${gh.adminUrl}/admin/oauth2/introspect`, auth: false },
      ...peers.map((p) => ({ label: peerLabel(p), pid: p.proc.pid, token: `${p.url}/token`, introspect: `${p.url}/token/introspection`, auth: true })),
    ]
    const contenders: Contender[] = []
    const checks: (() => Promise<void>)[] = []
    for (const s of sides) {
      const tokens = await issueTokens(s.token, INTROSPECTED_TOKENS)
      const spec = introspectSpec(s.introspect, tokens, s.auth)
      const active = await countActive(spec, tokens)
      if (active !== tokens.length) throw new Error(`${s.label}: only ${active} of ${tokens.length} fresh tokens introspect as active`)
      contenders.push(loadContender(ctx, s.label, s.label === 'Gatehouse' ? 'subject' : 'baseline', s.pid, spec))
      checks.push(async () => {
        const after = await countActive(spec, tokens)
        if (after !== tokens.length) ctx.results.notes.push(`${id}: ${s.label}: ${tokens.length - after} tokens were no longer active after the runs`)
      })
    }
    ctx.results.contests.push(await contest(id, title, 2, contenders, contestOptions(ctx)))
    for (const check of checks) await check()
  })
}

export async function tokenScenarios(ctx: BenchContext): Promise<void> {
  const skipPg = (id: string) => ctx.results.notes.push(`${id}: skipped, PostgreSQL is not reachable at ${ctx.opts.postgresUrl}`)
  if (wants(ctx, 'S1')) {
    await clientCredentials(ctx, 'S1', 'client_credentials, opaque, SQLite (peer: in-memory)', 3, ctx.sqliteDsn, 'opaque', 'ES256')
  }
  if (wants(ctx, 'S2')) {
    if (ctx.pgDsn) await clientCredentials(ctx, 'S2', 'client_credentials, opaque, PostgreSQL (peer: in-memory)', 1.5, ctx.pgDsn, 'opaque', 'ES256')
    else skipPg('S2')
  }
  if (wants(ctx, 'S3')) {
    for (const alg of ['ES256', 'RS256'] as const) {
      // A fresh store, so the access-token key set is generated with this algorithm.
      const dsn = await freshSqlite(ctx.binary, ctx.workdir, `s3-${alg.toLowerCase()}`)
      await clientCredentials(ctx, `S3 ${alg}`, `client_credentials, JWT ${alg}, SQLite (peer: in-memory)`, 3, dsn, 'jwt', alg)
    }
  }
  if (wants(ctx, 'S4')) {
    await introspection(ctx, 'S4 SQLite', 'introspection, opaque, SQLite (peer: in-memory)', ctx.sqliteDsn)
    if (ctx.pgDsn) await introspection(ctx, 'S4 PostgreSQL', 'introspection, opaque, PostgreSQL (peer: in-memory)', ctx.pgDsn)
    else skipPg('S4 PostgreSQL')
  }
}
