import { describe, expect, it } from 'bun:test'
import { AWKWARD, LONG, T0, clientRow, expectStoreError, type ContractContext } from './_contract_rows.ts'

export function clientsContract(ctx: ContractContext) {
  describe('clients', () => {
    it('creates and reads back every field', async () => {
      const row = clientRow('c1', { rotated_secrets: ['old-2', 'old-1'], data: { nested: { list: [1, 'two', null, true] } } })
      await ctx.store().clients.create(row)
      expect(await ctx.store().clients.get('c1')).toEqual(row)
    })

    it('keeps a null secret hash (public client)', async () => {
      await ctx.store().clients.create(clientRow('public', { secret_hash: null }))
      expect((await ctx.store().clients.get('public'))?.secret_hash).toBeNull()
    })

    it('returns null for an unknown id', async () => {
      expect(await ctx.store().clients.get('nobody')).toBeNull()
    })

    it('refuses a second client with the same id and keeps the first', async () => {
      const s = ctx.store()
      await s.clients.create(clientRow('dup'))
      await expectStoreError(s.clients.create(clientRow('dup', { client_name: 'impostor' })), 'conflict')
      expect((await s.clients.get('dup'))?.client_name).toBe('name of dup')
    })

    it('updates every field but the id', async () => {
      const s = ctx.store()
      await s.clients.create(clientRow('u1'))
      const changed = clientRow('u1', {
        client_name: 'renamed',
        owner: 'owner-b',
        secret_hash: null,
        rotated_secrets: ['previous'],
        data: { client_id: 'u1', scope: 'openid' },
        created_at: T0 + 1,
        updated_at: T0 + 2,
      })
      await s.clients.update(changed)
      expect(await s.clients.get('u1')).toEqual(changed)
    })

    // Both columns are left alone by an update that does not name them.
    for (const column of ['secret_sealed', 'registration_access_token_signature'] as const) {
      it(`keeps ${column} on update unless told to replace or clear it`, async () => {
        const s = ctx.store()
        await s.clients.create(clientRow('c', { [column]: 'v1' }))
        expect((await s.clients.get('c'))?.[column]).toBe('v1')
        const { [column]: _, ...unnamed } = clientRow('c', { client_name: 'kept' })
        await s.clients.update(unnamed)
        expect(await s.clients.get('c')).toEqual(clientRow('c', { client_name: 'kept', [column]: 'v1' }))
        await s.clients.update(clientRow('c', { [column]: 'v2' }))
        expect((await s.clients.get('c'))?.[column]).toBe('v2')
        await s.clients.update(clientRow('c', { [column]: null }))
        expect((await s.clients.get('c'))?.[column]).toBeNull()
      })
    }

    it('updates on a registration access token signature only while it is still the stored one', async () => {
      const s = ctx.store()
      await s.clients.create(clientRow('rot', { registration_access_token_signature: 'sig-1' }))
      await s.clients.update(clientRow('rot', { client_name: 'first', registration_access_token_signature: 'sig-2' }), 'sig-1')
      // A second writer that read sig-1 lost the race: nothing of its row lands.
      await expectStoreError(s.clients.update(clientRow('rot', { client_name: 'second', registration_access_token_signature: 'sig-3' }), 'sig-1'), 'not_found')
      expect(await s.clients.get('rot')).toEqual(clientRow('rot', { client_name: 'first', registration_access_token_signature: 'sig-2' }))
      await s.clients.create(clientRow('admin-made'))
      await expectStoreError(s.clients.update(clientRow('admin-made', { client_name: 'x' }), 'sig-1'), 'not_found')
      expect((await s.clients.get('admin-made'))?.client_name).toBe('name of admin-made')
    })

    it('refuses to update an unknown client with not_found', async () => {
      await expectStoreError(ctx.store().clients.update(clientRow('ghost')), 'not_found')
      expect(await ctx.store().clients.get('ghost')).toBeNull()
    })

    it('deletes once', async () => {
      const s = ctx.store()
      await s.clients.create(clientRow('d1'))
      await s.clients.create(clientRow('d2'))
      expect(await s.clients.delete('d1')).toBe(true)
      expect(await s.clients.delete('d1')).toBe(false)
      expect(await s.clients.get('d1')).toBeNull()
      expect(await s.clients.get('d2')).not.toBeNull()
    })

    it('lists in id order, page by page after the last id seen', async () => {
      const s = ctx.store()
      for (const id of ['c05', 'c02', 'c07', 'c01', 'c04', 'c06', 'c03']) await s.clients.create(clientRow(id))
      const ids = async (after?: string) =>
        (await s.clients.list({ limit: 3, ...(after === undefined ? {} : { after }) })).map((c) => c.id)
      expect(await ids()).toEqual(['c01', 'c02', 'c03'])
      expect(await ids('c03')).toEqual(['c04', 'c05', 'c06'])
      expect(await ids('c06')).toEqual(['c07'])
      expect(await ids('c07')).toEqual([])
      expect(await ids('c035')).toEqual(['c04', 'c05', 'c06'])
      expect((await s.clients.list({ limit: 100 })).length).toBe(7)
    })

    it('filters by client_name and owner, also while paging', async () => {
      const s = ctx.store()
      await s.clients.create(clientRow('a1', { client_name: 'web', owner: 'team-x' }))
      await s.clients.create(clientRow('a2', { client_name: 'web', owner: 'team-y' }))
      await s.clients.create(clientRow('a3', { client_name: 'cli', owner: 'team-x' }))
      await s.clients.create(clientRow('a4', { client_name: 'web', owner: 'team-x' }))
      const ids = async (q: { client_name?: string; owner?: string; after?: string; limit?: number }) =>
        (await s.clients.list({ limit: 10, ...q })).map((c) => c.id)
      expect(await ids({ client_name: 'web' })).toEqual(['a1', 'a2', 'a4'])
      expect(await ids({ owner: 'team-x' })).toEqual(['a1', 'a3', 'a4'])
      expect(await ids({ client_name: 'web', owner: 'team-x' })).toEqual(['a1', 'a4'])
      expect(await ids({ client_name: 'web', after: 'a1', limit: 1 })).toEqual(['a2'])
      expect(await ids({ client_name: 'nope' })).toEqual([])
    })

    it('round-trips unicode, quotes and very long strings', async () => {
      const s = ctx.store()
      const id = `client ${AWKWARD}`
      const row = clientRow(id, {
        client_name: AWKWARD,
        owner: '🔐 owner',
        secret_hash: AWKWARD,
        rotated_secrets: [AWKWARD, LONG],
        secret_sealed: LONG,
        data: { [AWKWARD]: AWKWARD, logo_uri: LONG, contacts: ['ünï@example.com'] },
      })
      await s.clients.create(row)
      expect(await s.clients.get(id)).toEqual(row)
      expect((await s.clients.list({ limit: 5, client_name: AWKWARD })).map((c) => c.id)).toEqual([id])
    })
  })
}
