import type { JtiStore } from '../types.ts'
import type { SqlDriver } from './driver.ts'

export class SqlJtiStore implements JtiStore {
  private readonly db: SqlDriver
  constructor(db: SqlDriver) {
    this.db = db
  }

  async remember(signature: string, expiresAt: number, now: number) {
    // An expired entry may be overwritten; a live one means the value is being replayed.
    const rows = await this.db.all(
      `INSERT INTO jti_blacklist (signature, expires_at) VALUES ($1, $2)
       ON CONFLICT (signature) DO UPDATE SET expires_at = excluded.expires_at WHERE jti_blacklist.expires_at < $3
       RETURNING signature`,
      [signature, expiresAt, now],
    )
    return rows.length === 1
  }

  deleteExpired(before: number, limit: number) {
    return this.db.run(
      'DELETE FROM jti_blacklist WHERE signature IN (SELECT signature FROM jti_blacklist WHERE expires_at < $1 LIMIT $2)',
      [before, limit],
    )
  }
}
