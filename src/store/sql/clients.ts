import { StoreError, type ClientListQuery, type ClientRow, type ClientStore } from '../types.ts'
import { isUniqueViolation, type SqlDriver } from './driver.ts'
import { fromJson, toJson } from './json.ts'

const COLUMNS =
  'id, client_name, owner, secret_hash, rotated_secrets, data, created_at, updated_at, secret_sealed, registration_access_token_signature'

function toRow(r: Record<string, unknown>): ClientRow {
  return {
    id: r.id as string,
    client_name: r.client_name as string,
    owner: r.owner as string,
    secret_hash: (r.secret_hash as string | null) ?? null,
    rotated_secrets: fromJson(r.rotated_secrets),
    data: fromJson(r.data),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
    secret_sealed: (r.secret_sealed as string | null) ?? null,
    registration_access_token_signature: (r.registration_access_token_signature as string | null) ?? null,
  }
}

const values = (c: ClientRow) => [
  c.id,
  c.client_name,
  c.owner,
  c.secret_hash,
  toJson(c.rotated_secrets),
  toJson(c.data),
  c.created_at,
  c.updated_at,
  c.secret_sealed ?? null,
  c.registration_access_token_signature ?? null,
]

export class SqlClientStore implements ClientStore {
  private readonly db: SqlDriver
  constructor(db: SqlDriver) {
    this.db = db
  }

  async create(c: ClientRow) {
    try {
      await this.db.run(`INSERT INTO clients (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, values(c))
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('conflict', `client ${c.id} already exists`)
      throw err
    }
  }

  async get(id: string) {
    const rows = await this.db.all(`SELECT ${COLUMNS} FROM clients WHERE id = $1`, [id])
    return rows[0] ? toRow(rows[0]) : null
  }

  async update(c: ClientRow, ifRegistration?: string) {
    // secret_sealed and registration_access_token_signature left undefined keep their stored values; null clears them.
    const params = values(c).slice(0, 8)
    let set = 'client_name = $2, owner = $3, secret_hash = $4, rotated_secrets = $5, data = $6, created_at = $7, updated_at = $8'
    if (c.secret_sealed !== undefined) set += `, secret_sealed = $${params.push(c.secret_sealed)}`
    if (c.registration_access_token_signature !== undefined) {
      set += `, registration_access_token_signature = $${params.push(c.registration_access_token_signature)}`
    }
    const only = ifRegistration === undefined ? '' : ` AND registration_access_token_signature = $${params.push(ifRegistration)}`
    const n = await this.db.run(`UPDATE clients SET ${set} WHERE id = $1${only}`, params)
    if (n === 0) throw new StoreError('not_found', `client ${c.id} does not exist`)
  }

  async delete(id: string) {
    return (await this.db.run('DELETE FROM clients WHERE id = $1', [id])) > 0
  }

  async list(q: ClientListQuery) {
    const where: string[] = []
    const params: unknown[] = []
    if (q.after !== undefined) where.push(`id > $${params.push(q.after)}`)
    if (q.client_name !== undefined) where.push(`client_name = $${params.push(q.client_name)}`)
    if (q.owner !== undefined) where.push(`owner = $${params.push(q.owner)}`)
    const sql = `SELECT ${COLUMNS} FROM clients ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.push(q.limit)}`
    return (await this.db.all(sql, params)).map(toRow)
  }
}
