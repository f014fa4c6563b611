import { describe, expect, it } from 'bun:test'
import type { Store } from '../../src/store/types.ts'
import { HOUR, KINDS, T0, flowRow, sessionRow, tokenRow, trustRow, type ContractContext } from './_contract_rows.ts'

const EXPIRED = 250
const LIVE = 7
const BATCH = 100

/** Calls `deleteBatch` until it returns 0 and collects what each call returned. */
async function drain(deleteBatch: () => Promise<number>): Promise<number[]> {
  const counts: number[] = []
  for (let n = -1; n !== 0; ) counts.push((n = await deleteBatch()))
  return counts
}

async function seed(s: Store, write: (t: Store, i: number, expired: boolean) => Promise<unknown>) {
  await s.tx(async (t) => {
    for (let i = 0; i < EXPIRED; i++) await write(t, i, true)
    for (let i = 0; i < LIVE; i++) await write(t, i, false)
  })
}

const expiresAt = (expired: boolean, i: number) => (expired ? T0 - HOUR - i : T0 + HOUR + i)

export function batchesContract(ctx: ContractContext) {
  describe('deleteExpired in bounded batches', () => {
    for (const kind of KINDS) {
      it(`deletes ${EXPIRED} expired ${kind} rows ${BATCH} at a time and keeps live ones`, async () => {
        const s = ctx.store()
        await seed(s, (t, i, expired) =>
          t.tokens.insert(kind, tokenRow(`${expired ? 'dead' : 'live'}-${i}`, { expires_at: expiresAt(expired, i) })),
        )
        expect(await drain(() => s.tokens.deleteExpired(kind, T0, BATCH))).toEqual([100, 100, 50, 0])
        expect(await s.tokens.count(kind)).toBe(LIVE)
        expect(await s.tokens.get(kind, 'live-0')).not.toBeNull()
      })
    }

    it(`deletes ${EXPIRED} expired jti values ${BATCH} at a time and keeps live ones`, async () => {
      const s = ctx.store()
      await seed(s, (t, i, expired) =>
        t.jti.remember(`${expired ? 'dead' : 'live'}-${i}`, expiresAt(expired, i), T0 - 2 * HOUR - EXPIRED),
      )
      expect(await drain(() => s.jti.deleteExpired(T0, BATCH))).toEqual([100, 100, 50, 0])
      for (let i = 0; i < LIVE; i++) expect(await s.jti.remember(`live-${i}`, T0 + 2 * HOUR, T0)).toBe(false)
    })

    it(`deletes ${EXPIRED} expired trust relationships ${BATCH} at a time and keeps live ones`, async () => {
      const s = ctx.store()
      await seed(s, (t, i, expired) => {
        const id = `${expired ? 'dead' : 'live'}-${i}`
        return t.trust.create(trustRow(id, { key_id: id, expires_at: expiresAt(expired, i) }))
      })
      expect(await drain(() => s.trust.deleteExpired(T0, BATCH))).toEqual([100, 100, 50, 0])
      expect((await s.trust.list({ limit: 1000 })).map((r) => r.id).sort()).toEqual(Array.from({ length: LIVE }, (_, i) => `live-${i}`).sort())
    })

    it(`deletes expired flows, login sessions and handled challenges ${BATCH} rows at a time in total`, async () => {
      const s = ctx.store()
      await seed(s, (t, i, expired) => {
        const id = `${expired ? 'dead' : 'live'}-${i}`
        if (i < 100 || !expired) return t.flows.insertFlow(flowRow(id, { expires_at: expiresAt(expired, i) }))
        if (i < 175) return t.flows.upsertLoginSession(sessionRow(id, { expires_at: expiresAt(true, i) }))
        return t.flows.markHandled(id, 'redirect', expiresAt(true, i))
      })
      await s.flows.insertFlow(flowRow('forever', { expires_at: null }))
      await s.flows.upsertLoginSession(sessionRow('live-ls', { expires_at: T0 + HOUR }))
      await s.flows.markHandled('live-ch', 'redirect', T0 + HOUR)
      expect(await drain(() => s.flows.deleteExpired(T0, BATCH))).toEqual([100, 100, 50, 0])
      expect((await s.flows.listFlows('alice')).length).toBe(LIVE + 1)
      expect(await s.flows.getLoginSession('live-ls')).not.toBeNull()
      expect(await s.flows.getLoginSession('dead-150')).toBeNull()
      expect(await s.flows.getHandled('live-ch')).toBe('redirect')
      expect(await s.flows.getHandled('dead-200')).toBeNull()
    })
  })
}
