import { describe, expect, it } from 'bun:test'
import { HOUR, KINDS, T0, tokenRow, type ContractContext } from './_contract_rows.ts'

const GRACE = 30_000

export function reuseContract(ctx: ContractContext) {
  describe('refresh token grace and reuse', () => {
    it('useWithGrace marks the first use, keeps the token active and cuts its expiry to the grace period', async () => {
      const s = ctx.store()
      await s.tokens.insert('refresh_token', tokenRow('rt'))
      const used = await s.tokens.useWithGrace('rt', T0 + 10, GRACE, 0)
      expect(used).toEqual(tokenRow('rt', { first_used_at: T0 + 10, used_times: 1, expires_at: T0 + 10 + GRACE }))
      expect(await s.tokens.get('refresh_token', 'rt')).toEqual(used)
    })

    it('useWithGrace keeps an expiry that is already sooner than the grace period', async () => {
      const s = ctx.store()
      await s.tokens.insert('refresh_token', tokenRow('rt', { expires_at: T0 + 1000 }))
      expect((await s.tokens.useWithGrace('rt', T0, GRACE, 0))?.expires_at).toBe(T0 + 1000)
    })

    it('useWithGrace allows reuse within the grace period up to the reuse count, keeping the first use', async () => {
      const s = ctx.store()
      await s.tokens.insert('refresh_token', tokenRow('rt'))
      expect((await s.tokens.useWithGrace('rt', T0, GRACE, 2))?.used_times).toBe(1)
      const second = await s.tokens.useWithGrace('rt', T0 + 1, GRACE, 2)
      expect(second).toEqual(tokenRow('rt', { first_used_at: T0, used_times: 2, expires_at: T0 + GRACE }))
      expect((await s.tokens.useWithGrace('rt', T0 + 2, GRACE, 2))?.used_times).toBe(3)
      expect(await s.tokens.useWithGrace('rt', T0 + 3, GRACE, 2)).toBeNull()
      expect((await s.tokens.get('refresh_token', 'rt'))?.used_times).toBe(3)
    })

    it('useWithGrace with reuse count 0 allows any number of uses until the grace period ends', async () => {
      const s = ctx.store()
      await s.tokens.insert('refresh_token', tokenRow('rt'))
      for (let i = 1; i <= 5; i++) expect((await s.tokens.useWithGrace('rt', T0 + i, GRACE, 0))?.used_times).toBe(i)
      expect(await s.tokens.useWithGrace('rt', T0 + 1 + GRACE, GRACE, 0)).toBeNull()
    })

    it('useWithGrace refuses an inactive, expired, unknown or non-refresh token', async () => {
      const s = ctx.store()
      await s.tokens.insert('refresh_token', tokenRow('revoked', { active: false }))
      await s.tokens.insert('refresh_token', tokenRow('expired', { expires_at: T0 }))
      await s.tokens.insert('access_token', tokenRow('at'))
      expect(await s.tokens.useWithGrace('revoked', T0 - 1, GRACE, 0)).toBeNull()
      expect(await s.tokens.useWithGrace('expired', T0, GRACE, 0)).toBeNull()
      expect(await s.tokens.useWithGrace('unknown', T0, GRACE, 0)).toBeNull()
      expect(await s.tokens.useWithGrace('at', T0, GRACE, 0)).toBeNull()
      expect(await s.tokens.get('refresh_token', 'expired')).toEqual(tokenRow('expired', { expires_at: T0 }))
    })

    it('useWithGrace gives exactly 1 + reuse count of 20 concurrent callers on separate connections the token', async () => {
      const stores = await ctx.shared(4)
      await stores[0]!.tokens.insert('refresh_token', tokenRow('rt', { expires_at: T0 + HOUR }))
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % 4]!.tokens.useWithGrace('rt', T0 + i, GRACE, 3)),
      )
      expect(results.filter((r) => r !== null).length).toBe(4)
      expect((await stores[1]!.tokens.get('refresh_token', 'rt'))?.used_times).toBe(4)
    })

    it('useWithGrace counts every one of 20 concurrent uses when the reuse count is unlimited', async () => {
      const stores = await ctx.shared(4)
      await stores[0]!.tokens.insert('refresh_token', tokenRow('rt'))
      await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 4]!.tokens.useWithGrace('rt', T0 + i, GRACE, 0)))
      expect((await stores[2]!.tokens.get('refresh_token', 'rt'))?.used_times).toBe(20)
    })

    for (const kind of KINDS) {
      it(`recordReuse counts the presentation and deactivates (${kind})`, async () => {
        const s = ctx.store()
        await s.tokens.insert(kind, tokenRow('spent', { active: false, used_times: 1, first_used_at: T0 }))
        await s.tokens.insert(kind, tokenRow('live'))
        expect(await s.tokens.recordReuse(kind, 'spent')).toEqual(
          tokenRow('spent', { active: false, used_times: 2, first_used_at: T0 }),
        )
        expect(await s.tokens.recordReuse(kind, 'live')).toEqual(tokenRow('live', { active: false, used_times: 1 }))
        expect(await s.tokens.consume(kind, 'live', T0)).toBeNull()
        expect(await s.tokens.recordReuse(kind, 'unknown')).toBeNull()
      })
    }

    it('revokeByFlows deactivates the tokens of those flows in every table, counting what was active', async () => {
      const s = ctx.store()
      await s.tokens.insert('authorization_code', tokenRow('code', { flow_id: 'f1', active: false }))
      await s.tokens.insert('access_token', tokenRow('at1', { flow_id: 'f1' }))
      await s.tokens.insert('refresh_token', tokenRow('rt1', { flow_id: 'f1' }))
      await s.tokens.insert('access_token', tokenRow('at2', { flow_id: 'f2' }))
      await s.tokens.insert('access_token', tokenRow('at3', { flow_id: 'f3' }))
      await s.tokens.insert('access_token', tokenRow('none', { flow_id: null }))
      expect(await s.tokens.revokeByFlows(['f1', 'f2', 'f1'])).toBe(3)
      expect(await s.tokens.revokeByFlows(['f1', 'f2'])).toBe(0)
      expect(await s.tokens.revokeByFlows([])).toBe(0)
      for (const [kind, sig] of [['access_token', 'at1'], ['refresh_token', 'rt1'], ['access_token', 'at2']] as const) {
        expect((await s.tokens.get(kind, sig))?.active).toBe(false)
      }
      expect((await s.tokens.get('access_token', 'at3'))?.active).toBe(true)
      expect((await s.tokens.get('access_token', 'none'))?.active).toBe(true)
    })
  })
}
