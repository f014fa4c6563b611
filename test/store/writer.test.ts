import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from '../../src/store/migrate.ts'
import { isUniqueViolation } from '../../src/store/sql/driver.ts'
import { SqlStore } from '../../src/store/sql/store.ts'
import { SqliteDriver } from '../../src/store/sqlite/driver.ts'
import { tokenRow } from './_contract_rows.ts'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-writer-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let seq = 0

async function fileStore(path = join(dir, `w${seq++}.sqlite`)) {
  const store = new SqlStore(new SqliteDriver(path))
  await migrate(store.driver)
  return { store, driver: store.driver as SqliteDriver, path }
}

const insert = (signature: string): [string, unknown[]] => [
  'INSERT INTO jti_blacklist (signature, expires_at) VALUES ($1, $2)',
  [signature, 1],
]

describe('SQLite writer thread', () => {
  it('runs batches off the serving thread for a WAL file, never for an in-memory database', async () => {
    const { store, driver } = await fileStore()
    expect(driver.batchesInBackground).toBe(true)
    const memory = new SqliteDriver(':memory:')
    expect(memory.batchesInBackground).toBe(false)
    await memory.close()
    await store.close()
  })

  it('settles a batch once it is committed, so the serving connection reads it right away', async () => {
    const { store, driver } = await fileStore()
    await Promise.all(Array.from({ length: 20 }, (_, i) => driver.batch([insert(`a${i}`), insert(`b${i}`)])))
    const rows = await driver.all<{ n: number }>('SELECT COUNT(*) AS n FROM jti_blacklist')
    expect(rows[0]!.n).toBe(40)
    await store.close()
  })

  it('rolls a failing batch back whole and reports the unique violation', async () => {
    const { store, driver } = await fileStore()
    await driver.batch([insert('taken')])
    const err = await driver.batch([insert('fresh'), insert('taken')]).catch((e: unknown) => e)
    expect(isUniqueViolation(err)).toBe(true)
    expect(await driver.all('SELECT signature FROM jti_blacklist ORDER BY signature')).toEqual([{ signature: 'taken' }])
    await store.close()
  })

  it('shares the write lock with the serving connection\'s transactions without failing either', async () => {
    const { store, driver } = await fileStore()
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    const tx = driver.tx(async (t) => {
      await t.run('INSERT INTO jti_blacklist (signature, expires_at) VALUES ($1, $2)', ['in-tx', 1])
      await held
    })
    // Whichever takes the lock first, the other waits (the writer blocking its own thread, the driver retrying).
    const batch = driver.batch([insert('after-tx')])
    await Promise.resolve()
    release()
    await Promise.all([tx, batch])
    expect(await driver.all('SELECT signature FROM jti_blacklist ORDER BY signature')).toEqual([{ signature: 'after-tx' }, { signature: 'in-tx' }])
    await store.close()
  })

  it('commits the batches in flight before close() returns', async () => {
    const { store, path } = await fileStore()
    const pending = Array.from({ length: 10 }, (_, i) => store.tokens.insertAll([['access_token', tokenRow(`c${i}`)]]))
    await store.close()
    await Promise.all(pending)
    const reopened = new SqlStore(new SqliteDriver(path))
    for (let i = 0; i < 10; i++) expect(await reopened.tokens.get('access_token', `c${i}`)).toEqual(tokenRow(`c${i}`))
    await reopened.close()
  })
})
