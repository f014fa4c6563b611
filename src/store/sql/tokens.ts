import { StoreError, type TokenKind, type TokenRow, type TokenStore } from '../types.ts'
import { isUniqueViolation, type SqlDriver } from './driver.ts'
import { GroupCommit } from './group_commit.ts'
import { GroupRead } from './group_read.ts'
import { bool, fromJson, toJson } from './json.ts'
import { TOKEN_COLUMNS as COLUMNS, tokenBatchInsert } from './token_batch_insert.ts'

export const TOKEN_TABLES: Record<TokenKind, string> = {
  access_token: 'access_tokens',
  refresh_token: 'refresh_tokens',
  authorization_code: 'authorization_codes',
}

function toRow(r: Record<string, unknown>): TokenRow {
  return {
    signature: r.signature as string,
    request_id: r.request_id as string,
    client_id: r.client_id as string,
    subject: r.subject as string,
    granted_scope: fromJson(r.granted_scope),
    granted_audience: fromJson(r.granted_audience),
    session_data: r.session_data as string,
    active: bool(r.active),
    requested_at: Number(r.requested_at),
    expires_at: Number(r.expires_at),
    flow_id: (r.flow_id as string | null) ?? null,
    first_used_at: r.first_used_at == null ? null : Number(r.first_used_at),
    used_times: Number(r.used_times ?? 0),
    access_token_signature: (r.access_token_signature as string | null) ?? null,
  }
}

type TokenInsert = readonly [TokenKind, TokenRow]

/** Rethrows a unique violation as a StoreError conflict, anything else as it is. */
const conflictAs = (message: string) => (err: unknown): never => {
  if (isUniqueViolation(err)) throw new StoreError('conflict', message)
  throw err
}

export class SqlTokenStore implements TokenStore {
  private readonly db: SqlDriver
  readonly #batches: GroupCommit<TokenInsert> | null
  /**
   * Lookups by signature of concurrent requests share one query: on PostgreSQL that saves round trips, on
   * SQLite (WAL) the read lock each statement takes and releases with two fcntl() calls.
   */
  readonly #reads: Map<TokenKind, GroupRead<Record<string, unknown>>> | null

  constructor(db: SqlDriver, groupCommit = false) {
    this.db = db
    // SQLite writes one transaction at a time; PostgreSQL commits a few batches at once on its pool.
    const options = { maxInFlight: db.dialect === 'sqlite' ? 1 : 4, maxRows: 256 }
    this.#batches = groupCommit ? new GroupCommit((rows) => this.#insertNow(rows), options) : null
    this.#reads = groupCommit ? new Map() : null
  }

  #lookup(kind: TokenKind): GroupRead<Record<string, unknown>> {
    let reads = this.#reads!.get(kind)
    if (!reads) {
      const postgres = this.db.dialect === 'postgres'
      const sql = postgres
        ? `SELECT ${COLUMNS} FROM ${TOKEN_TABLES[kind]} WHERE signature = ANY($1::text[])`
        : `SELECT ${COLUMNS} FROM ${TOKEN_TABLES[kind]} WHERE signature IN (SELECT value FROM json_each($1))`
      reads = new GroupRead(async (keys) => {
        const rows = await this.db.all(sql, [postgres ? keys : JSON.stringify(keys)])
        return new Map(rows.map((r) => [r.signature as string, r]))
      }, 256)
      this.#reads!.set(kind, reads)
    }
    return reads
  }

  /** Settles once every batch asked for so far is committed or refused. */
  drain(): Promise<void> {
    return this.#batches?.drain() ?? Promise.resolve()
  }

  insertAll(rows: readonly TokenInsert[]): Promise<void> {
    return this.#batches ? this.#batches.add(rows) : this.#insertNow(rows)
  }

  // One transaction: on PostgreSQL one statement for the whole batch, on SQLite one INSERT per row.
  async #insertNow(rows: readonly TokenInsert[]): Promise<void> {
    if (this.db.dialect === 'postgres') {
      const { text, params } = tokenBatchInsert(TOKEN_TABLES, rows)
      await this.db.run(text, params).catch(conflictAs('a token with this signature already exists'))
      return
    }
    return this.db.tx(async (t) => {
      const tokens = new SqlTokenStore(t)
      await Promise.all(rows.map(([kind, row]) => tokens.insert(kind, row)))
    })
  }

  async insert(kind: TokenKind, t: TokenRow) {
    await this.db
      .run(
        `INSERT INTO ${TOKEN_TABLES[kind]} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, ${t.active ? 'TRUE' : 'FALSE'}, $8, $9, $10, $11, $12, $13)`,
        [
          t.signature,
          t.request_id,
          t.client_id,
          t.subject,
          toJson(t.granted_scope),
          toJson(t.granted_audience),
          t.session_data,
          t.requested_at,
          t.expires_at,
          t.flow_id,
          t.first_used_at,
          t.used_times,
          t.access_token_signature,
        ],
      )
      .catch(conflictAs(`${kind} with this signature already exists`))
  }

  async get(kind: TokenKind, signature: string) {
    if (this.#reads) {
      const row = await this.#lookup(kind).get(signature)
      return row ? toRow(row) : null
    }
    const rows = await this.db.all(`SELECT ${COLUMNS} FROM ${TOKEN_TABLES[kind]} WHERE signature = $1`, [signature])
    return rows[0] ? toRow(rows[0]) : null
  }

  async consume(kind: TokenKind, signature: string, now: number) {
    const rows = await this.db.all(
      `UPDATE ${TOKEN_TABLES[kind]} SET active = FALSE, first_used_at = COALESCE(first_used_at, $2), used_times = used_times + 1
       WHERE signature = $1 AND active = TRUE RETURNING ${COLUMNS}`,
      [signature, now],
    )
    return rows[0] ? toRow(rows[0]) : null
  }

  async useWithGrace(signature: string, now: number, gracePeriod: number, reuseCount: number) {
    const rows = await this.db.all(
      `UPDATE ${TOKEN_TABLES.refresh_token}
       SET first_used_at = COALESCE(first_used_at, $2), used_times = used_times + 1,
           expires_at = CASE WHEN first_used_at IS NULL AND expires_at > $3 THEN $3 ELSE expires_at END
       WHERE signature = $1 AND active = TRUE AND expires_at > $2 AND (first_used_at IS NULL OR $4 = 0 OR used_times <= $4)
       RETURNING ${COLUMNS}`,
      [signature, now, now + gracePeriod, reuseCount],
    )
    return rows[0] ? toRow(rows[0]) : null
  }

  async recordReuse(kind: TokenKind, signature: string) {
    const rows = await this.db.all(
      `UPDATE ${TOKEN_TABLES[kind]} SET active = FALSE, used_times = used_times + 1 WHERE signature = $1 RETURNING ${COLUMNS}`,
      [signature],
    )
    return rows[0] ? toRow(rows[0]) : null
  }

  async deactivate(kind: TokenKind, signature: string) {
    return (await this.db.run(`UPDATE ${TOKEN_TABLES[kind]} SET active = FALSE WHERE signature = $1 AND active = TRUE`, [signature])) > 0
  }

  revokeFamily(requestId: string) {
    return this.db.tx(async (t) => {
      let n = 0
      for (const table of Object.values(TOKEN_TABLES)) {
        n += await t.run(`UPDATE ${table} SET active = FALSE WHERE request_id = $1 AND active = TRUE`, [requestId])
      }
      return n
    })
  }

  revokeByFlows(flowIds: readonly string[]) {
    return this.db.tx(async (t) => {
      let n = 0
      for (const flowId of new Set(flowIds)) {
        for (const table of Object.values(TOKEN_TABLES)) {
          n += await t.run(`UPDATE ${table} SET active = FALSE WHERE flow_id = $1 AND active = TRUE`, [flowId])
        }
      }
      return n
    })
  }

  deleteByClient(kind: TokenKind, clientId: string) {
    return this.db.run(`DELETE FROM ${TOKEN_TABLES[kind]} WHERE client_id = $1`, [clientId])
  }

  deleteExpired(kind: TokenKind, before: number, limit: number) {
    const table = TOKEN_TABLES[kind]
    // One bounded batch by primary key; nothing is loaded into memory.
    return this.db.run(
      `DELETE FROM ${table} WHERE signature IN (SELECT signature FROM ${table} WHERE expires_at < $1 LIMIT $2)`,
      [before, limit],
    )
  }

  async count(kind: TokenKind) {
    const rows = await this.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TOKEN_TABLES[kind]}`)
    return Number(rows[0]?.n ?? 0)
  }
}
