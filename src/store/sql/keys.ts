import { StoreError, type KeyRow, type KeyStore } from '../types.ts'
import { isUniqueViolation, type SqlDriver } from './driver.ts'

const toRow = (r: Record<string, unknown>): KeyRow => ({
  set_id: r.set_id as string,
  kid: r.kid as string,
  keydata: r.keydata as string,
  created_at: Number(r.created_at),
})

export class SqlKeyStore implements KeyStore {
  private readonly db: SqlDriver
  constructor(db: SqlDriver) {
    this.db = db
  }

  async add(k: KeyRow) {
    try {
      await this.db.run('INSERT INTO jwks (set_id, kid, keydata, created_at) VALUES ($1, $2, $3, $4)', [
        k.set_id,
        k.kid,
        k.keydata,
        k.created_at,
      ])
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('conflict', `key ${k.kid} already exists in set ${k.set_id}`)
      throw err
    }
  }

  async listSet(setId: string) {
    const rows = await this.db.all(
      'SELECT set_id, kid, keydata, created_at FROM jwks WHERE set_id = $1 ORDER BY created_at DESC, pk DESC',
      [setId],
    )
    return rows.map(toRow)
  }

  async get(setId: string, kid: string) {
    const rows = await this.db.all('SELECT set_id, kid, keydata, created_at FROM jwks WHERE set_id = $1 AND kid = $2', [
      setId,
      kid,
    ])
    return rows[0] ? toRow(rows[0]) : null
  }

  deleteSet(setId: string) {
    return this.db.run('DELETE FROM jwks WHERE set_id = $1', [setId])
  }

  async deleteKey(setId: string, kid: string) {
    return (await this.db.run('DELETE FROM jwks WHERE set_id = $1 AND kid = $2', [setId, kid])) > 0
  }
}
