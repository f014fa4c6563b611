import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteDriver } from '../../src/store/sqlite/driver.ts'
import { isUniqueViolation } from '../../src/store/sql/driver.ts'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-grouped-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const INSERT = 'INSERT INTO t (id, body) VALUES ($1, $2)'

/** A WAL store with no checkpoints at all, so the WAL file's length counts the pages committed. */
async function walStore(name: string) {
  const path = join(dir, `${name}.sqlite`)
  const driver = new SqliteDriver(path, { checkpoints: 'inline' })
  await driver.exec('PRAGMA wal_autocheckpoint = 0')
  await driver.exec('CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT NOT NULL)')
  const walSize = () => statSync(`${path}-wal`).size
  return { driver, walSize }
}

describe('SQLite single-statement writes', () => {
  it('share one commit when issued in the same turn: the WAL grows by one commit’s pages, not one per write', async () => {
    const { driver, walSize } = await walStore('one-commit')
    try {
      await driver.run(INSERT, ['first', 'x'])
      const before = walSize()
      await driver.run(INSERT, ['second', 'x'])
      const oneCommit = walSize() - before
      expect(oneCommit).toBeGreaterThan(0)
      const start = walSize()
      const changes = await Promise.all(['a', 'b', 'c', 'd'].map((id) => driver.run(INSERT, [id, 'x'])))
      expect(changes).toEqual([1, 1, 1, 1])
      expect(walSize() - start).toBe(oneCommit)
      expect(await driver.all('SELECT id FROM t ORDER BY id')).toEqual(['a', 'b', 'c', 'd', 'first', 'second'].map((id) => ({ id })))
    } finally {
      await driver.close()
    }
  })

  it('keep their own outcomes: a failing write is undone alone and the others commit', async () => {
    const { driver } = await walStore('outcomes')
    try {
      await driver.run(INSERT, ['taken', 'old'])
      const [a, dup, returned, updated] = await Promise.allSettled([
        driver.run(INSERT, ['a', 'x']),
        driver.run(INSERT, ['taken', 'new']),
        driver.all<{ id: string }>(`${INSERT} ON CONFLICT (id) DO NOTHING RETURNING id`, ['b', 'y']),
        driver.run('UPDATE t SET body = $1 WHERE id = $2', ['changed', 'a']),
      ])
      expect(a).toEqual({ status: 'fulfilled', value: 1 })
      expect(dup.status).toBe('rejected')
      expect(isUniqueViolation((dup as PromiseRejectedResult).reason)).toBe(true)
      expect(returned).toEqual({ status: 'fulfilled', value: [{ id: 'b' }] })
      expect(updated).toEqual({ status: 'fulfilled', value: 1 })
      expect(await driver.all('SELECT id, body FROM t ORDER BY id')).toEqual([
        { id: 'a', body: 'changed' },
        { id: 'b', body: 'y' },
        { id: 'taken', body: 'old' },
      ])
    } finally {
      await driver.close()
    }
  })

  it('are committed by close() even when issued in the turn that closes', async () => {
    const path = join(dir, 'close.sqlite')
    const driver = new SqliteDriver(path)
    await driver.exec('CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT NOT NULL)')
    const writes = [driver.run(INSERT, ['a', 'x']), driver.run(INSERT, ['b', 'x'])]
    await driver.close()
    expect(await Promise.all(writes)).toEqual([1, 1])
    const reopened = new SqliteDriver(path)
    try {
      expect(await reopened.all('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 2 }])
    } finally {
      await reopened.close()
    }
  })
})
