import { describe, expect, it } from 'bun:test'
import { AWKWARD, HOUR, KINDS, LONG, T0, expectStoreError, tokenRow, type ContractContext } from './_contract_rows.ts'

export function tokensContract(ctx: ContractContext) {
  describe('tokens', () => {
    for (const kind of KINDS) {
      describe(kind, () => {
        it('inserts and reads back every field', async () => {
          const s = ctx.store()
          const bare = tokenRow('bare')
          const full = tokenRow('full', {
            active: false,
            flow_id: 'flow-1',
            first_used_at: T0 + 10,
            used_times: 2,
            access_token_signature: 'at-sig',
            granted_audience: [],
          })
          await s.tokens.insert(kind, bare)
          await s.tokens.insert(kind, full)
          expect(await s.tokens.get(kind, 'bare')).toEqual(bare)
          expect(await s.tokens.get(kind, 'full')).toEqual(full)
          expect(await s.tokens.get(kind, 'missing')).toBeNull()
        })

        it('refuses a signature twice with conflict', async () => {
          const s = ctx.store()
          await s.tokens.insert(kind, tokenRow('sig'))
          await expectStoreError(s.tokens.insert(kind, tokenRow('sig', { subject: 'mallory' })), 'conflict')
          expect((await s.tokens.get(kind, 'sig'))?.subject).toBe('alice')
        })

        it('keeps each kind in its own table', async () => {
          const s = ctx.store()
          await s.tokens.insert(kind, tokenRow('shared-sig'))
          for (const other of KINDS.filter((k) => k !== kind)) {
            expect(await s.tokens.get(other, 'shared-sig')).toBeNull()
            expect(await s.tokens.consume(other, 'shared-sig', T0)).toBeNull()
            expect(await s.tokens.count(other)).toBe(0)
          }
          expect(await s.tokens.count(kind)).toBe(1)
        })

        it('consumes an active token once, marking it used', async () => {
          const s = ctx.store()
          await s.tokens.insert(kind, tokenRow('once'))
          const won = await s.tokens.consume(kind, 'once', T0 + 42)
          expect(won).toEqual(tokenRow('once', { active: false, first_used_at: T0 + 42, used_times: 1 }))
          expect(await s.tokens.consume(kind, 'once', T0 + 43)).toBeNull()
          expect(await s.tokens.get(kind, 'once')).toEqual(won)
        })

        it('keeps the first use time when consuming', async () => {
          const s = ctx.store()
          await s.tokens.insert(kind, tokenRow('seen', { first_used_at: T0 + 1, used_times: 1 }))
          const row = await s.tokens.consume(kind, 'seen', T0 + 99)
          expect(row?.first_used_at).toBe(T0 + 1)
          expect(row?.used_times).toBe(2)
        })

        it('does not consume an inactive or unknown token', async () => {
          const s = ctx.store()
          await s.tokens.insert(kind, tokenRow('revoked', { active: false }))
          expect(await s.tokens.consume(kind, 'revoked', T0)).toBeNull()
          expect(await s.tokens.consume(kind, 'unknown', T0)).toBeNull()
          expect(await s.tokens.get(kind, 'revoked')).toEqual(tokenRow('revoked', { active: false }))
        })

        it('deactivates once', async () => {
          const s = ctx.store()
          await s.tokens.insert(kind, tokenRow('t'))
          expect(await s.tokens.deactivate(kind, 't')).toBe(true)
          expect(await s.tokens.deactivate(kind, 't')).toBe(false)
          expect(await s.tokens.deactivate(kind, 'unknown')).toBe(false)
          expect((await s.tokens.get(kind, 't'))?.active).toBe(false)
          expect(await s.tokens.consume(kind, 't', T0)).toBeNull()
        })

        it('deletes the tokens of one client', async () => {
          const s = ctx.store()
          await s.tokens.insert(kind, tokenRow('a1', { client_id: 'a' }))
          await s.tokens.insert(kind, tokenRow('a2', { client_id: 'a', active: false }))
          await s.tokens.insert(kind, tokenRow('b1', { client_id: 'b' }))
          for (const other of KINDS.filter((k) => k !== kind)) await s.tokens.insert(other, tokenRow('a3', { client_id: 'a' }))
          expect(await s.tokens.deleteByClient(kind, 'a')).toBe(2)
          expect(await s.tokens.deleteByClient(kind, 'a')).toBe(0)
          expect(await s.tokens.get(kind, 'b1')).not.toBeNull()
          for (const other of KINDS.filter((k) => k !== kind)) expect(await s.tokens.count(other)).toBe(1)
        })

        it('deletes only rows that expired before the cut-off', async () => {
          const s = ctx.store()
          await s.tokens.insert(kind, tokenRow('old', { expires_at: T0 - 1 }))
          await s.tokens.insert(kind, tokenRow('edge', { expires_at: T0 }))
          await s.tokens.insert(kind, tokenRow('live', { expires_at: T0 + HOUR }))
          expect(await s.tokens.deleteExpired(kind, T0, 100)).toBe(1)
          expect(await s.tokens.get(kind, 'old')).toBeNull()
          expect(await s.tokens.get(kind, 'edge')).not.toBeNull()
          expect(await s.tokens.count(kind)).toBe(2)
        })

        it('counts rows', async () => {
          const s = ctx.store()
          expect(await s.tokens.count(kind)).toBe(0)
          for (const sig of ['1', '2', '3']) await s.tokens.insert(kind, tokenRow(sig, { active: sig !== '2' }))
          expect(await s.tokens.count(kind)).toBe(3)
        })

        it('round-trips unicode, quotes and very long strings', async () => {
          const row = tokenRow(`sig ${AWKWARD}`, {
            request_id: AWKWARD,
            client_id: AWKWARD,
            subject: AWKWARD,
            granted_scope: [AWKWARD, 'openid'],
            granted_audience: [AWKWARD],
            session_data: LONG,
            flow_id: AWKWARD,
            access_token_signature: AWKWARD,
          })
          await ctx.store().tokens.insert(kind, row)
          expect(await ctx.store().tokens.get(kind, row.signature)).toEqual(row)
        })
      })
    }

    it('revokes a grant family in every table, counting what was active', async () => {
      const s = ctx.store()
      await s.tokens.insert('authorization_code', tokenRow('code', { request_id: 'fam', active: false }))
      await s.tokens.insert('access_token', tokenRow('at', { request_id: 'fam' }))
      await s.tokens.insert('refresh_token', tokenRow('rt', { request_id: 'fam' }))
      await s.tokens.insert('refresh_token', tokenRow('rt2', { request_id: 'fam' }))
      await s.tokens.insert('access_token', tokenRow('other-at', { request_id: 'other' }))
      await s.tokens.insert('refresh_token', tokenRow('other-rt', { request_id: 'other' }))
      expect(await s.tokens.revokeFamily('fam')).toBe(3)
      expect(await s.tokens.revokeFamily('fam')).toBe(0)
      for (const [kind, sig] of [['authorization_code', 'code'], ['access_token', 'at'], ['refresh_token', 'rt'], ['refresh_token', 'rt2']] as const) {
        expect((await s.tokens.get(kind, sig))?.active).toBe(false)
      }
      expect((await s.tokens.get('access_token', 'other-at'))?.active).toBe(true)
      expect((await s.tokens.get('refresh_token', 'other-rt'))?.active).toBe(true)
      expect(await s.tokens.revokeFamily('nobody')).toBe(0)
    })

    it('revokes a family inside a transaction that rolls back: nothing changes', async () => {
      const s = ctx.store()
      await s.tokens.insert('refresh_token', tokenRow('rt', { request_id: 'fam' }))
      await expect(
        s.tx(async (t) => {
          expect(await t.tokens.revokeFamily('fam')).toBe(1)
          throw new Error('abort')
        }),
      ).rejects.toThrow('abort')
      expect((await s.tokens.get('refresh_token', 'rt'))?.active).toBe(true)
    })
  })
}
