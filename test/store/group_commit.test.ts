import { describe, expect, it } from 'bun:test'
import { GroupCommit } from '../../src/store/sql/group_commit.ts'
import { StoreError, type TokenKind, type TokenRow } from '../../src/store/types.ts'
import { openSharedSqlite, storeFactories } from '../_harness.ts'
import { T0, tokenRow } from './_contract_rows.ts'

describe('GroupCommit', () => {
  const recorder = (fail: (rows: readonly number[]) => boolean = () => false) => {
    const writes: number[][] = []
    const write = async (rows: readonly number[]) => {
      writes.push([...rows])
      if (fail(rows)) throw new Error(`refused ${rows.join(',')}`)
    }
    return { writes, write }
  }

  it('commits the writes asked for in one turn of the event loop together', async () => {
    const { writes, write } = recorder()
    const g = new GroupCommit(write, { maxInFlight: 1, maxRows: 100 })
    await Promise.all([g.add([1]), g.add([2, 3]), g.add([4])])
    expect(writes).toEqual([[1, 2, 3, 4]])
  })

  it('never puts more than maxRows in a batch, but never splits one caller', async () => {
    const { writes, write } = recorder()
    const g = new GroupCommit(write, { maxInFlight: 1, maxRows: 3 })
    await Promise.all([g.add([1, 2]), g.add([3, 4]), g.add([5]), g.add([6, 7, 8, 9])])
    expect(writes).toEqual([[1, 2], [3, 4, 5], [6, 7, 8, 9]])
  })

  it('gathers what arrives while a batch commits into the next one', async () => {
    const writes: number[][] = []
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const g = new GroupCommit(
      async (rows: readonly number[]) => {
        writes.push([...rows])
        if (writes.length === 1) await gate
      },
      { maxInFlight: 1, maxRows: 100 },
    )
    const first = g.add([1])
    await new Promise((r) => setImmediate(r))
    const later = [g.add([2]), g.add([3])]
    release()
    await Promise.all([first, ...later])
    expect(writes).toEqual([[1], [2, 3]])
  })

  it('drains: settles at once when idle, else only after every batch asked for has committed', async () => {
    const { writes, write } = recorder()
    const g = new GroupCommit(write, { maxInFlight: 1, maxRows: 2 })
    await g.drain()
    const added = [g.add([1, 2]), g.add([3]), g.add([4])]
    await g.drain()
    expect(writes).toEqual([[1, 2], [3, 4]])
    await Promise.all(added)
  })

  it('retries a failed batch caller by caller, so only the caller whose rows fail is refused', async () => {
    const { writes, write } = recorder((rows) => rows.includes(2))
    const g = new GroupCommit(write, { maxInFlight: 1, maxRows: 100 })
    const results = await Promise.allSettled([g.add([1]), g.add([2]), g.add([3])])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused 2')
    expect(writes).toEqual([[1, 2, 3], [1], [2], [3]])
  })
})

// In memory and in a WAL file (with its checkpointer thread).
const sqliteFile = { name: 'sqlite file', open: async () => (await openSharedSqlite(1)).stores[0]! }
for (const factory of [...storeFactories(), sqliteFile]) {
  describe(`tokens.insertAll (${factory.name})`, () => {
    const rows = (...names: string[]): [TokenKind, TokenRow][] => names.map((n) => ['access_token', tokenRow(n)])

    it('stores the rows of concurrent callers, each of any kind', async () => {
      const s = await factory.open()
      await Promise.all([
        s.tokens.insertAll(rows('a1', 'a2')),
        s.tokens.insertAll([['refresh_token', tokenRow('r1')], ['access_token', tokenRow('a3')]]),
      ])
      for (const name of ['a1', 'a2', 'a3']) expect(await s.tokens.get('access_token', name)).toEqual(tokenRow(name))
      expect(await s.tokens.get('refresh_token', 'r1')).toEqual(tokenRow('r1'))
    })

    it('stores a batch larger than one statement, of mixed kinds and active flags, exactly', async () => {
      const s = await factory.open()
      const kinds: TokenKind[] = ['access_token', 'refresh_token', 'authorization_code']
      const all = Array.from({ length: 300 }, (_, i) => [kinds[i % 3]!, tokenRow(`m${i}`, { active: i % 7 !== 0, used_times: i })] as const)
      await Promise.all(all.map((r) => s.tokens.insertAll([r])))
      for (const [kind, row] of all) expect(await s.tokens.get(kind, row.signature)).toEqual(row)
    })

    it('refuses only the caller whose row conflicts, with nothing of its rows stored', async () => {
      const s = await factory.open()
      await s.tokens.insert('access_token', tokenRow('taken'))
      const results = await Promise.allSettled([
        s.tokens.insertAll(rows('b1')),
        s.tokens.insertAll(rows('b2', 'taken')),
        s.tokens.insertAll(rows('b3')),
      ])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError)
      expect((results[1] as PromiseRejectedResult).reason.code).toBe('conflict')
      expect(await s.tokens.get('access_token', 'b2')).toBeNull()
      expect(await s.tokens.get('access_token', 'b1')).not.toBeNull()
      expect(await s.tokens.get('access_token', 'b3')).not.toBeNull()
    })

    it('writes a caller\'s rows of several kinds all or none', async () => {
      const s = await factory.open()
      await s.tokens.insert('authorization_code', tokenRow('taken-code'))
      const mixed: [TokenKind, TokenRow][] = [
        ['access_token', tokenRow('d1', { flow_id: 'flow-d', first_used_at: T0 + 5 })],
        ['refresh_token', tokenRow('d2', { access_token_signature: 'd1', expires_at: 2 ** 50 })],
        ['authorization_code', tokenRow('taken-code')],
      ]
      await expect(s.tokens.insertAll(mixed)).rejects.toBeInstanceOf(StoreError)
      expect(await s.tokens.get('access_token', 'd1')).toBeNull()
      expect(await s.tokens.get('refresh_token', 'd2')).toBeNull()
      await s.tokens.insertAll(mixed.slice(0, 2))
      expect(await s.tokens.get('access_token', 'd1')).toEqual(mixed[0]![1])
      expect(await s.tokens.get('refresh_token', 'd2')).toEqual(mixed[1]![1])
    })

    it('commits the batches still waiting before close() returns', async () => {
      const s = await factory.open()
      const pending = Array.from({ length: 10 }, (_, i) => s.tokens.insertAll(rows(`z${i}`)))
      const closing = s.close()
      const settled = await Promise.allSettled(pending)
      expect(settled.map((r) => r.status)).toEqual(Array(10).fill('fulfilled'))
      await closing
    })

    it('inside a transaction writes at once and rolls back with it', async () => {
      const s = await factory.open()
      await expect(
        s.tx(async (t) => {
          await t.tokens.insertAll(rows('c1'))
          expect(await t.tokens.get('access_token', 'c1')).not.toBeNull()
          throw new Error('roll back')
        }),
      ).rejects.toThrow('roll back')
      expect(await s.tokens.get('access_token', 'c1')).toBeNull()
    })
  })
}
