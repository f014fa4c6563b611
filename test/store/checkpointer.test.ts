import { Database } from 'bun:sqlite'
import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Checkpointer, checkpointerStopTimeouts } from '../../src/store/sqlite/checkpointer.ts'
import { SqliteDriver } from '../../src/store/sqlite/driver.ts'
import { openSqlite } from '../_harness.ts'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-checkpoint-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const ROWS = 300
const payload = 'x'.repeat(500)

async function fill(driver: SqliteDriver) {
  await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')
  for (let i = 0; i < ROWS; i++) await driver.run('INSERT INTO t (id, body) VALUES ($1, $2)', [i, payload])
}

describe('SQLite WAL checkpoints on a worker thread', () => {
  it('turns automatic checkpoints off on the serving connection and copies the WAL back in the background', async () => {
    const path = join(dir, 'background.sqlite')
    const driver = new SqliteDriver(path)
    try {
      expect((await driver.all<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint'))[0]?.wal_autocheckpoint).toBe(0)
      const before = statSync(path).size
      await fill(driver)
      // Only the worker can grow the database file now; wait for it, a bounded number of times.
      let grown = false
      for (let i = 0; i < 250 && !grown; i++) {
        await Bun.sleep(20)
        grown = statSync(path).size > before + ROWS * payload.length
      }
      expect(grown).toBe(true)
    } finally {
      await driver.close()
    }
  })

  it('close stops the worker and leaves every row readable by a new connection', async () => {
    const path = join(dir, 'closed.sqlite')
    const driver = new SqliteDriver(path)
    await fill(driver)
    await driver.close()
    const db = new Database(path, { readonly: true })
    try {
      expect(db.query('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: ROWS })
    } finally {
      db.close()
    }
  })

  it('leaves SQLite’s own checkpoints on when background checkpoints are off, and for :memory:', async () => {
    for (const driver of [new SqliteDriver(join(dir, 'inline.sqlite'), { checkpoints: 'inline' }), new SqliteDriver(':memory:')]) {
      try {
        expect((await driver.all<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint'))[0]?.wal_autocheckpoint).toBe(1000)
      } finally {
        await driver.close()
      }
    }
  })

  it('closes a file store on the worker’s answer, not on the fallback timer, and again at once', async () => {
    const timeouts = checkpointerStopTimeouts()
    const store = await openSqlite(join(dir, 'store.sqlite'))
    await store.close()
    // The harness closes it once more at the end of the run; a second stop must not wait for an answer either.
    await store.close()
    expect(checkpointerStopTimeouts()).toBe(timeouts)
  })

  it('stop() resolves through the worker’s answer, and every later or concurrent call shares it', async () => {
    const path = join(dir, 'stop.sqlite')
    new Database(path).close()
    const checkpointer = new Checkpointer(path)
    const [first, second] = await Promise.all([checkpointer.stop(), checkpointer.stop()])
    expect([first, second, await checkpointer.stop()]).toEqual(['stopped', 'stopped', 'stopped'])
  })

  it('gives up on a worker stuck in a checkpoint, and counts it', async () => {
    const path = join(dir, 'stuck.sqlite')
    const writer = new Database(path)
    writer.run('PRAGMA journal_mode = WAL')
    writer.run('CREATE TABLE t (id INTEGER PRIMARY KEY)')
    // The worker's first RESTART checkpoint waits for this write lock before it can read the stop message.
    writer.run('BEGIN IMMEDIATE')
    const timeouts = checkpointerStopTimeouts()
    try {
      const checkpointer = new Checkpointer(path, { restartFrames: -1, busyTimeoutMs: 60_000, stopTimeoutMs: 0 })
      expect(await checkpointer.stop()).toBe('timed out')
      expect(checkpointerStopTimeouts()).toBe(timeouts + 1)
    } finally {
      writer.run('ROLLBACK')
      writer.close()
    }
  })
})
