import { describe, expect, it } from 'bun:test'
import { AWKWARD, HOUR, T0, expectStoreError, trustRow, type ContractContext } from './_contract_rows.ts'

const ids = (rows: { id: string }[]) => rows.map((r) => r.id)

export function trustContract(ctx: ContractContext) {
  describe('trust relationships', () => {
    it('creates and reads back a trust of one subject and one of any subject', async () => {
      const s = ctx.store()
      const one = trustRow('t-1')
      const any = trustRow('t-2', { subject: '', allow_any_subject: true, scope: [], created_at: T0 + 1000 })
      await s.trust.create(one)
      await s.trust.create(any)
      expect(await s.trust.get('t-1')).toEqual(one)
      expect(await s.trust.get('t-2')).toEqual(any)
      expect(await s.trust.get('t-3')).toBeNull()
    })

    it('round-trips unicode, quotes and very long strings', async () => {
      const row = trustRow(`id ${AWKWARD}`, { issuer: AWKWARD, subject: `sub ${AWKWARD}`, scope: [AWKWARD], key_id: AWKWARD, jwk: { kid: AWKWARD } })
      await ctx.store().trust.create(row)
      expect(await ctx.store().trust.get(row.id)).toEqual(row)
    })

    it('refuses an id twice, and an issuer, subject and key id twice', async () => {
      const s = ctx.store()
      await s.trust.create(trustRow('t-1'))
      await expectStoreError(s.trust.create(trustRow('t-1', { key_id: 'other' })), 'conflict')
      await expectStoreError(s.trust.create(trustRow('t-2', { scope: ['other'] })), 'conflict')
      await s.trust.create(trustRow('t-3', { subject: 'bob' }))
      await s.trust.create(trustRow('t-4', { key_id: 'kid-2' }))
      await s.trust.create(trustRow('t-5', { issuer: 'https://other.example' }))
      await s.trust.create(trustRow('t-6', { subject: '', allow_any_subject: true }))
      await expectStoreError(s.trust.create(trustRow('t-7', { subject: '', allow_any_subject: true })), 'conflict')
      expect(ids(await s.trust.list({ limit: 10 }))).toEqual(['t-1', 't-3', 't-4', 't-5', 't-6'])
    })

    it('deletes one trust, once', async () => {
      const s = ctx.store()
      await s.trust.create(trustRow('t-1'))
      await s.trust.create(trustRow('t-2', { subject: 'bob' }))
      expect(await s.trust.delete('t-1')).toBe(true)
      expect(await s.trust.delete('t-1')).toBe(false)
      expect(ids(await s.trust.list({ limit: 10 }))).toEqual(['t-2'])
    })

    it('lists by id, after a key and of one issuer, up to a limit', async () => {
      const s = ctx.store()
      for (const [id, issuer] of [['c', 'i1'], ['a', 'i2'], ['e', 'i1'], ['b', 'i1'], ['d', 'i2']]) {
        await s.trust.create(trustRow(id!, { issuer: issuer!, key_id: id! }))
      }
      expect(ids(await s.trust.list({ limit: 10 }))).toEqual(['a', 'b', 'c', 'd', 'e'])
      expect(ids(await s.trust.list({ limit: 2 }))).toEqual(['a', 'b'])
      expect(ids(await s.trust.list({ limit: 2, after: 'b' }))).toEqual(['c', 'd'])
      expect(ids(await s.trust.list({ limit: 10, issuer: 'i1' }))).toEqual(['b', 'c', 'e'])
      expect(ids(await s.trust.list({ limit: 10, issuer: 'i1', after: 'c' }))).toEqual(['e'])
      expect(await s.trust.list({ limit: 10, issuer: 'nobody' })).toEqual([])
    })

    it('finds the live trusts of an issuer for a subject: its own first, then any subject, newest first', async () => {
      const s = ctx.store()
      await s.trust.create(trustRow('old', { key_id: 'k-old', created_at: T0 }))
      await s.trust.create(trustRow('new', { key_id: 'k-new', created_at: T0 + 2000 }))
      await s.trust.create(trustRow('any', { subject: '', allow_any_subject: true, key_id: 'k-any', created_at: T0 + 5000 }))
      await s.trust.create(trustRow('bob', { subject: 'bob', key_id: 'k-bob' }))
      await s.trust.create(trustRow('other-issuer', { issuer: 'https://other.example' }))
      await s.trust.create(trustRow('expired', { key_id: 'k-expired', expires_at: T0 + HOUR }))
      const now = T0 + HOUR
      expect(ids(await s.trust.findLive('https://idp.example', 'alice', now, 100))).toEqual(['new', 'old', 'any'])
      expect(ids(await s.trust.findLive('https://idp.example', 'carol', now, 100))).toEqual(['any'])
      expect(ids(await s.trust.findLive('https://idp.example', 'alice', now, 2))).toEqual(['new', 'old'])
      expect(ids(await s.trust.findLive('https://idp.example', 'alice', now, 100, 'k-old'))).toEqual(['old'])
      expect(ids(await s.trust.findLive('https://idp.example', 'alice', now, 100, 'k-any'))).toEqual(['any'])
      expect(ids(await s.trust.findLive('https://idp.example', 'alice', now - 1, 100, 'k-expired'))).toEqual(['expired'])
      expect(await s.trust.findLive('https://idp.example', 'alice', now, 100, 'k-expired')).toEqual([])
      expect(await s.trust.findLive('https://idp.example', 'alice', now, 100, 'k-bob')).toEqual([])
      expect(await s.trust.findLive('https://nobody.example', 'alice', now, 100)).toEqual([])
    })
  })
}
