import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteDriver } from '../../src/store/sqlite/driver.ts'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-shared-cache-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const INSERT = 'INSERT INTO t (id) VALUES ($1)'

/**
 * Runs `fn` with two drivers on one file as two worker threads open them (writers in one shared cache, the
 * first one checkpointing) and closes both afterwards.
 */
async function withPair(name: string, fn: (first: SqliteDriver, second: SqliteDriver) => Promise<void>) {
  const path = join(dir, `${name}.sqlite`)
  const first = new SqliteDriver(path, { sharedCache: true })
  await first.exec('CREATE TABLE t (id TEXT PRIMARY KEY)')
  const second = new SqliteDriver(path, { sharedCache: true, checkpoints: 'elsewhere' })
  try {
    await fn(first, second)
  } finally {
    await Promise.all([second.close(), first.close()])
  }
}

/** A transaction on `driver` that has written `id` and stays open until `release` is called. */
function holdTransaction(driver: SqliteDriver, id: string, beforeCommit = () => {}) {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const held = driver.tx(async (t) => {
    await t.run(INSERT, [id])
    await gate
    beforeCommit()
  })
  return { held, release }
}

const ids = async (d: SqliteDriver) => (await d.all<{ id: string }>('SELECT id FROM t ORDER BY id')).map((r) => r.id)

describe('SQLite in shared-cache mode (serve.workers)', () => {
  it('makes a write wait while another connection of the cache holds a transaction, then commits it', async () => {
    await withPair('wait', async (first, second) => {
      const order: string[] = []
      const { held, release } = holdTransaction(first, 'a', () => order.push('first committed'))
      await Bun.sleep(0)
      const waiting = second.run(INSERT, ['b']).then((n) => {
        order.push('second written')
        return n
      })
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
      expect(order).toEqual([])
      release()
      await held
      expect(await waiting).toBe(1)
      expect(order).toEqual(['first committed', 'second written'])
      expect(await ids(first)).toEqual(['a', 'b'])
      expect(await ids(second)).toEqual(['a', 'b'])
    })
  })

  it('reads the last commit through a private connection while another holds uncommitted writes', async () => {
    await withPair('read', async (first, second) => {
      await first.run(INSERT, ['committed'])
      const { held, release } = holdTransaction(first, 'uncommitted')
      await Bun.sleep(0)
      // Through the shared cache this read would be locked out until the transaction ends.
      expect(await ids(second)).toEqual(['committed'])
      release()
      await held
      expect(await ids(second)).toEqual(['committed', 'uncommitted'])
    })
  })

  it('leaves checkpoints to the first connection when told they happen elsewhere', async () => {
    await withPair('checkpoints', async (first, second) => {
      for (const d of [first, second]) {
        expect((await d.all<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint'))[0]?.wal_autocheckpoint).toBe(0)
      }
      await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? first : second).run(INSERT, [`row-${i}`])))
      expect((await ids(first)).length).toBe(50)
    })
  })
})
