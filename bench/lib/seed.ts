import { Database } from 'bun:sqlite'
import { randomBytes, randomUUID } from 'node:crypto'
import postgres from 'postgres'

/** Columns of a stored token (migrations/*: access_tokens). */
const COLUMNS = [
  'signature', 'request_id', 'client_id', 'subject', 'granted_scope', 'granted_audience', 'session_data',
  'active', 'requested_at', 'expires_at', 'flow_id', 'first_used_at', 'used_times', 'access_token_signature',
] as const

/** A real access-token row, read back from a store after Gatehouse issued it; seeded rows copy its shape. */
export interface TemplateRow {
  client_id: string
  subject: string
  granted_scope: string
  granted_audience: string
  /** Length of the sealed session (base64url of AES-GCM output). */
  sessionLength: number
  signatureLength: number
  lifespanMs: number
}

export interface SeedPlan {
  /** Rows still valid (expiring an hour or more from now). */
  valid: number
  /** Rows that expired a day or more ago (what the janitor deletes). */
  expired: number
}

function template(row: Record<string, unknown>): TemplateRow {
  return {
    client_id: String(row.client_id),
    subject: String(row.subject),
    granted_scope: String(row.granted_scope),
    granted_audience: String(row.granted_audience),
    sessionLength: String(row.session_data).length,
    signatureLength: String(row.signature).length,
    lifespanMs: Number(row.expires_at) - Number(row.requested_at),
  }
}

export function sqliteTemplate(path: string): TemplateRow {
  const db = new Database(path, { readonly: true })
  try {
    const row = db.query('SELECT * FROM access_tokens ORDER BY requested_at DESC LIMIT 1').get() as Record<string, unknown> | null
    if (!row) throw new Error(`no access token in ${path} to copy the shape of`)
    return template(row)
  } finally {
    db.close()
  }
}

export async function postgresTemplate(dsn: string): Promise<TemplateRow> {
  const sql = postgres(dsn, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql`SELECT * FROM access_tokens ORDER BY requested_at DESC LIMIT 1`
    if (!row) throw new Error('no access token in the PostgreSQL store to copy the shape of')
    return template(row)
  } finally {
    await sql.end({ timeout: 2 })
  }
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** base64url of random bytes, cut to `length` characters: the shape of an HMAC signature or a sealed blob. */
const randomText = (length: number) => randomBytes(Math.ceil((length * 3) / 4) + 1).toString('base64url').slice(0, length)

/** Gatehouse's stored signature: the minting time in 12 hex digits, then the base64url HMAC. */
const signatureAt = (mintedAt: number, length: number) => mintedAt.toString(16).padStart(12, '0') + randomText(length - 12)

/**
 * Seeds access tokens into a SQLite store with prepared inserts, 50,000 per transaction, with every index in
 * place (as a store that grew by itself has them). Signatures lead with their row's minting time as
 * Gatehouse's do; their HMAC part and the sealed sessions are random base64url of the real lengths; the other
 * columns are the template's.
 */
export function seedSqlite(path: string, t: TemplateRow, plan: SeedPlan, progress: (done: number) => void): void {
  const db = new Database(path)
  try {
    db.run('PRAGMA journal_mode = WAL')
    db.run('PRAGMA synchronous = OFF')
    const insert = db.prepare(
      `INSERT INTO access_tokens (${COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULL, NULL, 0, NULL)`,
    )
    const now = Date.now()
    const total = plan.valid + plan.expired
    const BATCH = 50_000
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const expired = i < plan.expired
        // Issued over the past day (valid) or over a day before that (expired), with the template's lifespan.
        const requestedAt = expired ? now - 2 * DAY - (i % DAY) : now - (i % HOUR)
        const expiresAt = expired ? requestedAt + t.lifespanMs : now + HOUR + (i % DAY)
        insert.run(
          signatureAt(requestedAt, t.signatureLength),
          // Gatehouse's request ids are UUIDv7: time-ordered by when the token was issued.
          Bun.randomUUIDv7('hex', requestedAt),
          t.client_id,
          t.subject,
          t.granted_scope,
          t.granted_audience,
          randomText(t.sessionLength),
          requestedAt,
          expiresAt,
        )
      }
    })
    for (let from = 0; from < total; from += BATCH) {
      batch(from, Math.min(total, from + BATCH))
      progress(Math.min(total, from + BATCH))
    }
    db.run('PRAGMA wal_checkpoint(TRUNCATE)')
  } finally {
    db.close()
  }
}

/**
 * Seeds access tokens into a PostgreSQL store with INSERT … SELECT FROM generate_series, one million rows per
 * statement, every index in place. Signatures lead with their row's minting time as Gatehouse's do; their HMAC
 * part and the sealed sessions are base64url SHA-256 output of the real lengths (random-looking, unique per
 * row); the other columns are the template's.
 */
export async function seedPostgres(dsn: string, t: TemplateRow, plan: SeedPlan, progress: (done: number) => void): Promise<void> {
  const sql = postgres(dsn, { max: 1, onnotice: () => {} })
  const salt = randomUUID()
  // Enough SHA-256 blocks for the session text; translate() maps base64 to base64url and drops line breaks.
  const blocks = Math.ceil((t.sessionLength * 3) / 4 / 32) + 1
  const digests = Array.from({ length: blocks }, (_, k) => `sha256(($1 || 's${k}' || i)::bytea)`).join(' || ')
  const b64url = (bytes: string, length: number) => `substr(translate(encode(${bytes}, 'base64'), E'+/\\n', '-_'), 1, ${length})`
  // The request id as Gatehouse makes it: a UUIDv7 of the issuing time (48-bit ms timestamp, version 7, random rest).
  const uuidv7 = `substr(r.ts, 1, 8) || '-' || substr(r.ts, 9, 4) || '-7' || substr(r.rnd, 1, 3) || '-' ||
    substr('89ab', (get_byte(decode(r.rnd, 'hex'), 4) % 4) + 1, 1) || substr(r.rnd, 4, 3) || '-' || substr(r.rnd, 7, 12)`
  const text = `
    INSERT INTO access_tokens (${COLUMNS.join(', ')})
    SELECT r.ts || ${b64url(`sha256(($1 || i)::bytea)`, t.signatureLength - 12)}, ${uuidv7}, $2, $3, $4, $5,
           ${b64url(digests, t.sessionLength)}, TRUE, q.requested_at,
           CASE WHEN i <= $8 THEN q.requested_at + $7::bigint ELSE $6::bigint + 3600000 + (i % 86400000) END,
           NULL, NULL, 0, NULL
    FROM generate_series($9::bigint, $10::bigint) AS i,
         LATERAL (SELECT CASE WHEN i <= $8 THEN $6::bigint - 172800000 - (i % 86400000) ELSE $6::bigint - (i % 3600000) END AS requested_at) AS q,
         LATERAL (SELECT lpad(to_hex(q.requested_at), 12, '0') AS ts, md5($1 || 'r' || i) AS rnd) AS r`
  try {
    await sql.unsafe('SET synchronous_commit = off')
    const now = Date.now()
    const total = plan.valid + plan.expired
    const CHUNK = 1_000_000
    for (let from = 1; from <= total; from += CHUNK) {
      const to = Math.min(total, from + CHUNK - 1)
      const params = [salt, t.client_id, t.subject, t.granted_scope, t.granted_audience, now, t.lifespanMs, plan.expired, from, to]
      await sql.unsafe(text, params as never[])
      progress(to)
    }
    await sql.unsafe('ANALYZE access_tokens')
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** Rows of access_tokens that expired before `now`, and all rows. */
export async function countTokens(dsn: string, now: number): Promise<{ total: number; expired: number }> {
  if (dsn.startsWith('sqlite://')) {
    const db = new Database(dsn.slice('sqlite://'.length), { readonly: true })
    try {
      const r = db.query('SELECT COUNT(*) AS total, SUM(expires_at < ?) AS expired FROM access_tokens').get(now) as {
        total: number
        expired: number | null
      }
      return { total: r.total, expired: r.expired ?? 0 }
    } finally {
      db.close()
    }
  }
  const sql = postgres(dsn, { max: 1, onnotice: () => {} })
  try {
    const [r] = await sql`SELECT COUNT(*)::bigint AS total, COUNT(*) FILTER (WHERE expires_at < ${now})::bigint AS expired FROM access_tokens`
    return { total: Number(r!.total), expired: Number(r!.expired) }
  } finally {
    await sql.end({ timeout: 2 })
  }
}
