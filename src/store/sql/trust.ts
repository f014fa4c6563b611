import { StoreError, type TrustListQuery, type TrustRow, type TrustStore } from '../types.ts'
import { isUniqueViolation, type SqlDriver } from './driver.ts'
import { bool, fromJson, toJson } from './json.ts'

const COLUMNS = 'id, issuer, subject, allow_any_subject, scope, key_id, jwk, created_at, expires_at'

const toRow = (r: Record<string, unknown>): TrustRow => ({
  id: r.id as string,
  issuer: r.issuer as string,
  subject: r.subject as string,
  allow_any_subject: bool(r.allow_any_subject),
  scope: fromJson(r.scope),
  key_id: r.key_id as string,
  jwk: fromJson(r.jwk),
  created_at: Number(r.created_at),
  expires_at: Number(r.expires_at),
})

export class SqlTrustStore implements TrustStore {
  private readonly db: SqlDriver
  constructor(db: SqlDriver) {
    this.db = db
  }

  async create(t: TrustRow) {
    try {
      await this.db.run(
        `INSERT INTO trusted_jwt_issuers (${COLUMNS}) VALUES ($1, $2, $3, ${t.allow_any_subject ? 'TRUE' : 'FALSE'}, $4, $5, $6, $7, $8)`,
        [t.id, t.issuer, t.subject, toJson(t.scope), t.key_id, toJson(t.jwk), t.created_at, t.expires_at],
      )
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('conflict', `trust ${t.id} or its issuer, subject and key id already exist`)
      throw err
    }
  }

  async get(id: string) {
    const rows = await this.db.all(`SELECT ${COLUMNS} FROM trusted_jwt_issuers WHERE id = $1`, [id])
    return rows[0] ? toRow(rows[0]) : null
  }

  async delete(id: string) {
    return (await this.db.run('DELETE FROM trusted_jwt_issuers WHERE id = $1', [id])) > 0
  }

  async list(q: TrustListQuery) {
    const where: string[] = []
    const params: unknown[] = []
    if (q.after !== undefined) where.push(`id > $${params.push(q.after)}`)
    if (q.issuer !== undefined) where.push(`issuer = $${params.push(q.issuer)}`)
    const sql = `SELECT ${COLUMNS} FROM trusted_jwt_issuers ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.push(q.limit)}`
    return (await this.db.all(sql, params)).map(toRow)
  }

  async findLive(issuer: string, subject: string, now: number, limit: number, keyId?: string) {
    const params: unknown[] = [issuer, subject, now, limit]
    const byKey = keyId === undefined ? '' : ` AND key_id = $${params.push(keyId)}`
    const rows = await this.db.all(
      `SELECT ${COLUMNS} FROM trusted_jwt_issuers
       WHERE issuer = $1 AND (subject = $2 OR allow_any_subject = TRUE) AND expires_at > $3${byKey}
       ORDER BY allow_any_subject, created_at DESC, id LIMIT $4`,
      params,
    )
    return rows.map(toRow)
  }

  deleteExpired(before: number, limit: number) {
    return this.db.run(
      'DELETE FROM trusted_jwt_issuers WHERE id IN (SELECT id FROM trusted_jwt_issuers WHERE expires_at < $1 LIMIT $2)',
      [before, limit],
    )
  }
}
