import { StoreError, type DeviceCodeRow, type DeviceGrant, type DeviceStore, type UserCodeState } from '../types.ts'
import { isUniqueViolation, type SqlDriver } from './driver.ts'
import { bool, fromJson, toJson } from './json.ts'

const COLUMNS =
  'signature, user_code_signature, request_id, client_id, requested_scope, requested_audience, user_code_state, subject, ' +
  'granted_scope, granted_audience, session_data, flow_id, active, used_times, poll_interval, last_polled_at, requested_at, expires_at'

const STATES: readonly UserCodeState[] = ['pending', 'accepted', 'denied']
const PENDING = 0
const ACCEPTED = 1
const DENIED = 2

function toRow(r: Record<string, unknown>): DeviceCodeRow {
  return {
    signature: r.signature as string,
    user_code_signature: r.user_code_signature as string,
    request_id: r.request_id as string,
    client_id: r.client_id as string,
    requested_scope: fromJson(r.requested_scope),
    requested_audience: fromJson(r.requested_audience),
    user_code_state: STATES[Number(r.user_code_state)] ?? 'denied',
    subject: r.subject as string,
    granted_scope: fromJson(r.granted_scope),
    granted_audience: fromJson(r.granted_audience),
    session_data: r.session_data as string,
    flow_id: (r.flow_id as string | null) ?? null,
    active: bool(r.active),
    used_times: Number(r.used_times),
    poll_interval: Number(r.poll_interval),
    last_polled_at: r.last_polled_at == null ? null : Number(r.last_polled_at),
    requested_at: Number(r.requested_at),
    expires_at: Number(r.expires_at),
  }
}

export class SqlDeviceStore implements DeviceStore {
  private readonly db: SqlDriver
  constructor(db: SqlDriver) {
    this.db = db
  }

  async #one(sql: string, params: readonly unknown[]): Promise<DeviceCodeRow | null> {
    const rows = await this.db.all(sql, params)
    return rows[0] ? toRow(rows[0]) : null
  }

  async insert(d: DeviceCodeRow, now: number) {
    // A user code is unique among live authorizations only: an expired holder of the same code gives way.
    await this.db.run('DELETE FROM device_codes WHERE user_code_signature = $1 AND expires_at <= $2', [d.user_code_signature, now])
    try {
      const rows = await this.db.all(
        `INSERT INTO device_codes (${COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, ${d.active ? 'TRUE' : 'FALSE'}, $13, $14, $15, $16, $17)
         ON CONFLICT (user_code_signature) DO NOTHING RETURNING signature`,
        [
          d.signature,
          d.user_code_signature,
          d.request_id,
          d.client_id,
          toJson(d.requested_scope),
          toJson(d.requested_audience),
          STATES.indexOf(d.user_code_state),
          d.subject,
          toJson(d.granted_scope),
          toJson(d.granted_audience),
          d.session_data,
          d.flow_id,
          d.used_times,
          d.poll_interval,
          d.last_polled_at,
          d.requested_at,
          d.expires_at,
        ],
      )
      return rows.length === 1
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('conflict', 'a device code with this signature already exists')
      throw err
    }
  }

  get(signature: string) {
    return this.#one(`SELECT ${COLUMNS} FROM device_codes WHERE signature = $1`, [signature])
  }

  getByUserCode(userCodeSignature: string) {
    return this.#one(`SELECT ${COLUMNS} FROM device_codes WHERE user_code_signature = $1`, [userCodeSignature])
  }

  accept(requestId: string, g: DeviceGrant, now: number) {
    return this.#one(
      `UPDATE device_codes SET user_code_state = ${ACCEPTED}, subject = $2, granted_scope = $3, granted_audience = $4,
         session_data = $5, flow_id = $6
       WHERE request_id = $1 AND user_code_state = ${PENDING} AND expires_at > $7 RETURNING ${COLUMNS}`,
      [requestId, g.subject, toJson(g.granted_scope), toJson(g.granted_audience), g.session_data, g.flow_id, now],
    )
  }

  async deny(requestId: string, now: number) {
    const changed = await this.db.run(
      `UPDATE device_codes SET user_code_state = ${DENIED} WHERE request_id = $1 AND user_code_state = ${PENDING} AND expires_at > $2`,
      [requestId, now],
    )
    return changed > 0
  }

  async poll(signature: string, clientId: string, now: number, slowDown: number) {
    // On time: one conditional write, so that of concurrent polls within an interval one at most passes.
    const onTime = await this.#one(
      `UPDATE device_codes SET last_polled_at = $3
       WHERE signature = $1 AND client_id = $2 AND (last_polled_at IS NULL OR last_polled_at + poll_interval <= $3)
       RETURNING ${COLUMNS}`,
      [signature, clientId, now],
    )
    if (onTime) return { row: onTime, tooFast: false }
    const tooFast = await this.#one(
      `UPDATE device_codes SET last_polled_at = $3,
         poll_interval = CASE WHEN user_code_state = ${PENDING} THEN poll_interval + $4 ELSE poll_interval END
       WHERE signature = $1 AND client_id = $2 RETURNING ${COLUMNS}`,
      [signature, clientId, now, slowDown],
    )
    return tooFast ? { row: tooFast, tooFast: true } : null
  }

  consume(signature: string) {
    return this.#one(
      `UPDATE device_codes SET active = FALSE, used_times = used_times + 1
       WHERE signature = $1 AND active = TRUE AND user_code_state = ${ACCEPTED} RETURNING ${COLUMNS}`,
      [signature],
    )
  }

  recordReuse(signature: string) {
    return this.#one(
      `UPDATE device_codes SET active = FALSE, used_times = used_times + 1 WHERE signature = $1 RETURNING ${COLUMNS}`,
      [signature],
    )
  }

  deleteExpired(before: number, limit: number) {
    return this.db.run(
      'DELETE FROM device_codes WHERE signature IN (SELECT signature FROM device_codes WHERE expires_at < $1 LIMIT $2)',
      [before, limit],
    )
  }

  async countAttempt(challengeId: string, expiresAt: number) {
    const rows = await this.db.all<{ attempts: number | string }>(
      `INSERT INTO device_challenge_attempts (id, attempts, expires_at) VALUES ($1, 1, $2)
       ON CONFLICT (id) DO UPDATE SET attempts = device_challenge_attempts.attempts + 1 RETURNING attempts`,
      [challengeId, expiresAt],
    )
    return Number(rows[0]!.attempts)
  }

  deleteExpiredAttempts(before: number, limit: number) {
    return this.db.run(
      'DELETE FROM device_challenge_attempts WHERE id IN (SELECT id FROM device_challenge_attempts WHERE expires_at < $1 LIMIT $2)',
      [before, limit],
    )
  }
}
