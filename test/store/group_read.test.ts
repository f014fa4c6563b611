import { describe, expect, it } from 'bun:test'
import type { SqlDriver } from '../../src/store/sql/driver.ts'
import { GroupRead } from '../../src/store/sql/group_read.ts'
import { SqlTokenStore } from '../../src/store/sql/tokens.ts'
import { storeFactories } from '../_harness.ts'
import { tokenRow } from './_contract_rows.ts'

describe('GroupRead', () => {
  const source = (data: Record<string, number>, fail = false) => {
    const queries: string[][] = []
    const read = async (keys: readonly string[]) => {
      queries.push([...keys])
      if (fail) throw new Error('database gone')
      return new Map(keys.filter((k) => k in data).map((k) => [k, data[k]!]))
    }
    return { queries, read }
  }

  it('answers the lookups of one turn of the event loop with one query, duplicates and misses included', async () => {
    const { queries, read } = source({ a: 1, b: 2 })
    const g = new GroupRead(read, 100)
    expect(await Promise.all([g.get('a'), g.get('b'), g.get('a'), g.get('missing')])).toEqual([1, 2, 1, null])
    expect(queries).toEqual([['a', 'b', 'missing']])
  })

  it('splits a turn into queries of at most maxKeys keys', async () => {
    const { queries, read } = source({ k0: 0, k4: 4 })
    const g = new GroupRead(read, 2)
    expect(await Promise.all(['k0', 'k1', 'k2', 'k3', 'k4'].map((k) => g.get(k)))).toEqual([0, null, null, null, 4])
    expect(queries).toEqual([['k0', 'k1'], ['k2', 'k3'], ['k4']])
  })

  it('fails every lookup of a failed query', async () => {
    const { read } = source({}, true)
    const g = new GroupRead(read, 100)
    const results = await Promise.allSettled([g.get('a'), g.get('b')])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
  })
})

for (const factory of storeFactories()) {
  describe(`tokens.get of concurrent requests (${factory.name})`, () => {
    it('returns each caller its own row, or null, and sees rows committed before it asked', async () => {
      const s = await factory.open()
      await s.tokens.insertAll([['access_token', tokenRow('g1')], ['access_token', tokenRow('g2')], ['refresh_token', tokenRow('g1')]])
      const [a, b, again, missing, refresh] = await Promise.all([
        s.tokens.get('access_token', 'g1'),
        s.tokens.get('access_token', 'g2'),
        s.tokens.get('access_token', 'g1'),
        s.tokens.get('access_token', 'nope'),
        s.tokens.get('refresh_token', 'g1'),
      ])
      expect(a).toEqual(tokenRow('g1'))
      expect(b).toEqual(tokenRow('g2'))
      expect(again).toEqual(a)
      expect(again).not.toBe(a)
      expect(missing).toBeNull()
      expect(refresh).toEqual(tokenRow('g1'))
      await s.tokens.deactivate('access_token', 'g2')
      expect((await s.tokens.get('access_token', 'g2'))?.active).toBe(false)
    })

    it('sends the lookups of one turn as one statement per token kind', async () => {
      const s = await factory.open()
      await s.tokens.insertAll([['access_token', tokenRow('h1')], ['access_token', tokenRow('h2')], ['refresh_token', tokenRow('h1')]])
      const statements: string[] = []
      const db = s.driver
      const counting: SqlDriver = {
        dialect: db.dialect,
        all: (sql, params) => (statements.push(sql), db.all(sql, params)),
        run: (sql, params) => (statements.push(sql), db.run(sql, params)),
        exec: (script) => db.exec(script),
        tx: (fn) => db.tx(fn),
        close: async () => {},
      }
      const tokens = new SqlTokenStore(counting, true)
      const found = await Promise.all([
        ...['h1', 'h2', 'h1', 'none'].map((sig) => tokens.get('access_token', sig)),
        tokens.get('refresh_token', 'h1'),
      ])
      expect(found.map((r) => r?.signature ?? null)).toEqual(['h1', 'h2', 'h1', null, 'h1'])
      expect(statements.length).toBe(2)
    })
  })
}
