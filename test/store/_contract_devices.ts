import { describe, expect, it } from 'bun:test'
import type { SqlStore } from '../../src/store/sql/store.ts'
import type { DeviceGrant } from '../../src/store/types.ts'
import { deviceRow } from '../_harness.ts'
import { AWKWARD, HOUR, T0, expectStoreError, type ContractContext } from './_contract_rows.ts'

const SECOND = 1000

const grant = (over: Partial<DeviceGrant> = {}): DeviceGrant => ({
  subject: AWKWARD,
  granted_scope: ['openid'],
  granted_audience: ['https://api.example'],
  session_data: 'sealed-device-session',
  flow_id: 'flow-1',
  ...over,
})

const CALLERS = 20

const winners = <T>(results: PromiseSettledResult<T>[]) =>
  results.filter((r): r is PromiseFulfilledResult<T> => r.status === 'fulfilled' && r.value !== null && r.value !== false).map((r) => r.value)

function race<T>(stores: SqlStore[], call: (s: SqlStore, i: number) => Promise<T>) {
  return Promise.allSettled(Array.from({ length: CALLERS }, (_, i) => call(stores[i % stores.length]!, i)))
}

export function devicesContract(ctx: ContractContext) {
  describe('device authorizations', () => {
    it('inserts and reads back every field, by device code and by user code', async () => {
      const s = ctx.store()
      const row = deviceRow('dc-1', { requested_scope: [AWKWARD], last_polled_at: T0 + 1, used_times: 2 })
      expect(await s.devices.insert(row, T0)).toBe(true)
      expect(await s.devices.get('dc-1')).toEqual(row)
      expect(await s.devices.getByUserCode('uc-dc-1')).toEqual(row)
      expect(await s.devices.get('dc-2')).toBeNull()
      expect(await s.devices.getByUserCode('uc-dc-2')).toBeNull()
    })

    it('keeps user codes unique among live authorizations, and lets an expired holder give way', async () => {
      const s = ctx.store()
      expect(await s.devices.insert(deviceRow('dc-1', { user_code_signature: 'uc' }), T0)).toBe(true)
      expect(await s.devices.insert(deviceRow('dc-2', { user_code_signature: 'uc' }), T0 + 599 * SECOND)).toBe(false)
      expect(await s.devices.get('dc-2')).toBeNull()
      expect(await s.devices.insert(deviceRow('dc-3', { user_code_signature: 'uc' }), T0 + 600 * SECOND)).toBe(true)
      expect(await s.devices.get('dc-1')).toBeNull()
      expect((await s.devices.getByUserCode('uc'))?.signature).toBe('dc-3')
    })

    it('refuses a second device code with the same signature', async () => {
      const s = ctx.store()
      await s.devices.insert(deviceRow('dc-1'), T0)
      await expectStoreError(s.devices.insert(deviceRow('dc-1', { user_code_signature: 'other', request_id: 'other' }), T0), 'conflict')
    })

    it('accepts a pending authorization once with its grant; denies only a pending one', async () => {
      const s = ctx.store()
      await s.devices.insert(deviceRow('dc-1'), T0)
      await s.devices.insert(deviceRow('dc-2'), T0)
      const accepted = await s.devices.accept('req-dc-1', grant(), T0 + 1)
      expect(accepted).toEqual(deviceRow('dc-1', { ...grant(), user_code_state: 'accepted' }))
      expect(await s.devices.accept('req-dc-1', grant({ subject: 'mallory' }), T0 + 2)).toBeNull()
      expect(await s.devices.deny('req-dc-1', T0 + 2)).toBe(false)
      expect((await s.devices.get('dc-1'))?.subject).toBe(AWKWARD)

      expect(await s.devices.deny('req-dc-2', T0 + 1)).toBe(true)
      expect((await s.devices.get('dc-2'))?.user_code_state).toBe('denied')
      expect(await s.devices.accept('req-dc-2', grant(), T0 + 2)).toBeNull()
      expect(await s.devices.deny('req-unknown', T0)).toBe(false)
    })

    it('settles nothing once the authorization expired', async () => {
      const s = ctx.store()
      await s.devices.insert(deviceRow('dc-1'), T0)
      expect(await s.devices.accept('req-dc-1', grant(), T0 + 600 * SECOND)).toBeNull()
      expect(await s.devices.deny('req-dc-1', T0 + 600 * SECOND)).toBe(false)
      expect((await s.devices.get('dc-1'))?.user_code_state).toBe('pending')
    })

    it('records polls: on time after the interval, too fast before it, and grows a pending interval by slow_down', async () => {
      const s = ctx.store()
      await s.devices.insert(deviceRow('dc-1'), T0)
      const first = await s.devices.poll('dc-1', 'client-1', T0, 5 * SECOND)
      expect(first).toMatchObject({ tooFast: false, row: { last_polled_at: T0, poll_interval: 5 * SECOND } })
      const fast = await s.devices.poll('dc-1', 'client-1', T0 + 4 * SECOND, 5 * SECOND)
      expect(fast).toMatchObject({ tooFast: true, row: { last_polled_at: T0 + 4 * SECOND, poll_interval: 10 * SECOND } })
      // The next poll counts from the one that came too soon, with the longer interval.
      expect((await s.devices.poll('dc-1', 'client-1', T0 + 13 * SECOND, 5 * SECOND))?.tooFast).toBe(true)
      expect((await s.devices.get('dc-1'))?.poll_interval).toBe(15 * SECOND)
      expect((await s.devices.poll('dc-1', 'client-1', T0 + 28 * SECOND, 5 * SECOND))?.tooFast).toBe(false)
    })

    it('does not grow the interval of a settled authorization, and answers no poll of another client or code', async () => {
      const s = ctx.store()
      await s.devices.insert(deviceRow('dc-1'), T0)
      await s.devices.poll('dc-1', 'client-1', T0, 5 * SECOND)
      await s.devices.accept('req-dc-1', grant(), T0)
      expect(await s.devices.poll('dc-1', 'client-1', T0 + 1, 5 * SECOND)).toMatchObject({ tooFast: true, row: { poll_interval: 5 * SECOND } })
      expect(await s.devices.poll('dc-1', 'client-2', T0 + HOUR, 5 * SECOND)).toBeNull()
      expect(await s.devices.poll('dc-2', 'client-1', T0 + HOUR, 5 * SECOND)).toBeNull()
      expect((await s.devices.get('dc-1'))?.last_polled_at).toBe(T0 + 1)
    })

    it('redeems an accepted authorization once; a pending one never; records a reuse', async () => {
      const s = ctx.store()
      await s.devices.insert(deviceRow('dc-1'), T0)
      expect(await s.devices.consume('dc-1')).toBeNull()
      await s.devices.accept('req-dc-1', grant(), T0)
      expect(await s.devices.consume('dc-1')).toMatchObject({ active: false, used_times: 1, user_code_state: 'accepted' })
      expect(await s.devices.consume('dc-1')).toBeNull()
      expect(await s.devices.recordReuse('dc-1')).toMatchObject({ active: false, used_times: 2 })
      expect(await s.devices.recordReuse('dc-2')).toBeNull()
    })

    it('deletes expired authorizations in bounded batches', async () => {
      const s = ctx.store()
      for (let i = 0; i < 5; i++) await s.devices.insert(deviceRow(`old-${i}`, { expires_at: T0 - 1 }), T0 - HOUR)
      await s.devices.insert(deviceRow('live'), T0)
      expect(await s.devices.deleteExpired(T0, 3)).toBe(3)
      expect(await s.devices.deleteExpired(T0, 3)).toBe(2)
      expect(await s.devices.deleteExpired(T0, 3)).toBe(0)
      expect(await s.devices.get('live')).not.toBeNull()
    })

    it('counts the user codes tried per challenge and deletes expired counters', async () => {
      const s = ctx.store()
      expect(await s.devices.countAttempt('ch-1', T0)).toBe(1)
      expect(await s.devices.countAttempt('ch-1', T0)).toBe(2)
      expect(await s.devices.countAttempt('ch-2', T0 + HOUR)).toBe(1)
      expect(await s.devices.deleteExpiredAttempts(T0 + 1, 10)).toBe(1)
      expect(await s.devices.countAttempt('ch-1', T0)).toBe(1)
      expect(await s.devices.countAttempt('ch-2', T0 + HOUR)).toBe(2)
    })

    it(`lets one of ${CALLERS} concurrent accepts or denials on separate connections settle an authorization`, async () => {
      const stores = await ctx.shared(4)
      await stores[0]!.devices.insert(deviceRow('dc-1'), T0)
      const results = await race<unknown>(stores, (s, i) =>
        i % 2 ? s.devices.accept('req-dc-1', grant({ subject: `user-${i}` }), T0) : s.devices.deny('req-dc-1', T0),
      )
      expect(winners(results)).toHaveLength(1)
    })

    it(`lets one of ${CALLERS} concurrent redemptions on separate connections win`, async () => {
      const stores = await ctx.shared(4)
      await stores[0]!.devices.insert(deviceRow('dc-1'), T0)
      await stores[0]!.devices.accept('req-dc-1', grant(), T0)
      expect(winners(await race(stores, (s) => s.devices.consume('dc-1')))).toHaveLength(1)
    })

    it(`lets one of ${CALLERS} concurrent polls within one interval be on time, and counts every attempt`, async () => {
      const stores = await ctx.shared(4)
      await stores[0]!.devices.insert(deviceRow('dc-1'), T0)
      const polls = await race(stores, (s) => s.devices.poll('dc-1', 'client-1', T0, 5 * SECOND))
      expect(winners(polls).filter((p) => p && !p.tooFast)).toHaveLength(1)
      const counts = await race(stores, (s) => s.devices.countAttempt('ch-1', T0))
      expect(winners(counts).sort((a, b) => a - b)).toEqual(Array.from({ length: CALLERS }, (_, i) => i + 1))
    })
  })
}
