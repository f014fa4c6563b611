import { contest, type Contender } from '../lib/contest.ts'
import { withServers, type BenchContext } from '../lib/context.ts'
import { runOneFlow, type FlowTarget } from '../lib/flow_steps.ts'
import { runFlows } from '../lib/flows.ts'
import { WEB_CLIENT } from '../lib/gatehouse.ts'
import { peerLabel, startSides } from './tokens.ts'

/**
 * S5: complete authorization code flows with PKCE per second: authorize, login accepted, consent accepted,
 * code exchange, refresh. Gatehouse's login and consent are accepted through its admin API (Hydra's
 * contract); the peer's through two interaction endpoints of bench/peer.mjs. Seven HTTP requests per flow
 * on both sides.
 */
export async function flowScenario(ctx: BenchContext): Promise<void> {
  const id = 'S5'
  const title = 'authorization code + PKCE + refresh flows, SQLite (peer: in-memory)'
  ctx.log(`${id}: ${title}`)
  await withServers(async (track) => {
    const { gh, peers } = await startSides(ctx, track, 'S5', ctx.sqliteDsn, 'opaque', 'ES256')
    const client = { clientId: WEB_CLIENT.id, clientSecret: WEB_CLIENT.secret, redirectUri: WEB_CLIENT.redirectUri }
    const targets: { label: string; pid: number; target: FlowTarget }[] = [
      {
        label: 'Gatehouse',
        pid: gh.proc.pid,
        target: { kind: 'gatehouse', publicUrl: gh.publicUrl, adminUrl: gh.adminUrl, issuer: gh.issuer, ...client },
      },
      ...peers.map((p) => ({ label: peerLabel(p), pid: p.proc.pid, target: { kind: 'peer' as const, publicUrl: p.url, ...client } })),
    ]
    const contenders: Contender[] = []
    for (const t of targets) {
      // One flow first, so a broken side stops the scenario with its reason instead of a rate of errors.
      await runOneFlow(t.target, 'check').catch((err) => {
        throw new Error(`${t.label}: a single flow failed: ${(err as Error).message}`)
      })
      contenders.push({
        label: t.label,
        role: t.label === 'Gatehouse' ? 'subject' : 'baseline',
        drive: async (durationS) => {
          const r = await runFlows(t.target, { concurrency: ctx.opts.flowConcurrency, durationS, serverPid: t.pid }, ctx.workdir)
          if (r.firstError) ctx.log(`${id} ${t.label}: first flow error: ${r.firstError}`)
          return r
        },
      })
    }
    const options = { rounds: ctx.opts.rounds, durationS: ctx.opts.durationS, warmupS: ctx.opts.warmupS, unit: 'flows/s', log: ctx.log }
    ctx.results.contests.push(await contest(id, title, 2, contenders, options))
  })
}
