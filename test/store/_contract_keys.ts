import { describe, expect, it } from 'bun:test'
import { AWKWARD, LONG, T0, expectStoreError, keyRow, type ContractContext } from './_contract_rows.ts'

export function keysContract(ctx: ContractContext) {
  describe('keys', () => {
    it('adds and reads back a key', async () => {
      const row = keyRow('hydra.openid.id-token', 'k1', { created_at: T0 + 5 })
      await ctx.store().keys.add(row)
      expect(await ctx.store().keys.get('hydra.openid.id-token', 'k1')).toEqual(row)
    })

    it('returns null for an unknown set or kid', async () => {
      await ctx.store().keys.add(keyRow('set', 'k1'))
      expect(await ctx.store().keys.get('set', 'k2')).toBeNull()
      expect(await ctx.store().keys.get('other', 'k1')).toBeNull()
    })

    it('refuses a kid twice in one set, but not in another set', async () => {
      const s = ctx.store()
      await s.keys.add(keyRow('set-a', 'k1'))
      await expectStoreError(s.keys.add(keyRow('set-a', 'k1', { keydata: 'replacement' })), 'conflict')
      expect((await s.keys.get('set-a', 'k1'))?.keydata).toBe('sealed:set-a:k1')
      await s.keys.add(keyRow('set-b', 'k1'))
      expect((await s.keys.get('set-b', 'k1'))?.keydata).toBe('sealed:set-b:k1')
    })

    it('lists a set newest first, later insert first on equal times', async () => {
      const s = ctx.store()
      await s.keys.add(keyRow('set', 'oldest', { created_at: T0 }))
      await s.keys.add(keyRow('set', 'newest', { created_at: T0 + 3000 }))
      await s.keys.add(keyRow('set', 'middle', { created_at: T0 + 1000 }))
      await s.keys.add(keyRow('set', 'twin-1', { created_at: T0 + 2000 }))
      await s.keys.add(keyRow('set', 'twin-2', { created_at: T0 + 2000 }))
      await s.keys.add(keyRow('elsewhere', 'x', { created_at: T0 + 9000 }))
      expect((await s.keys.listSet('set')).map((k) => k.kid)).toEqual(['newest', 'twin-2', 'twin-1', 'middle', 'oldest'])
      expect(await s.keys.listSet('empty')).toEqual([])
    })

    it('deletes one key, once', async () => {
      const s = ctx.store()
      await s.keys.add(keyRow('set', 'k1'))
      await s.keys.add(keyRow('set', 'k2'))
      expect(await s.keys.deleteKey('set', 'k1')).toBe(true)
      expect(await s.keys.deleteKey('set', 'k1')).toBe(false)
      expect((await s.keys.listSet('set')).map((k) => k.kid)).toEqual(['k2'])
    })

    it('deletes a whole set and nothing else', async () => {
      const s = ctx.store()
      for (const kid of ['k1', 'k2', 'k3']) await s.keys.add(keyRow('doomed', kid))
      await s.keys.add(keyRow('kept', 'k1'))
      expect(await s.keys.deleteSet('doomed')).toBe(3)
      expect(await s.keys.deleteSet('doomed')).toBe(0)
      expect(await s.keys.listSet('doomed')).toEqual([])
      expect((await s.keys.listSet('kept')).length).toBe(1)
    })

    it('round-trips unicode, quotes and very long strings', async () => {
      const row = keyRow(AWKWARD, `kid ${AWKWARD}`, { keydata: LONG })
      await ctx.store().keys.add(row)
      expect(await ctx.store().keys.get(AWKWARD, `kid ${AWKWARD}`)).toEqual(row)
      expect(await ctx.store().keys.listSet(AWKWARD)).toEqual([row])
    })
  })
}
