import { StoreError, type FlowRow, type FlowStore, type LoginSessionRow } from '../types.ts'
import { isUniqueViolation, type SqlDriver } from './driver.ts'
import { bool, fromJson, toJson } from './json.ts'

const SESSION_COLUMNS = 'id, subject, authenticated_at, remember, identity_provider_session_id, expires_at'
const FLOW_COLUMNS =
  'id, client_id, subject, login_session_id, granted_scope, granted_audience, remember, remember_for, handled_at, data, expires_at'

const toSession = (r: Record<string, unknown>): LoginSessionRow => ({
  id: r.id as string,
  subject: r.subject as string,
  authenticated_at: Number(r.authenticated_at),
  remember: bool(r.remember),
  identity_provider_session_id: r.identity_provider_session_id as string,
  expires_at: Number(r.expires_at),
})

const toFlow = (r: Record<string, unknown>): FlowRow => ({
  id: r.id as string,
  client_id: r.client_id as string,
  subject: r.subject as string,
  login_session_id: (r.login_session_id as string | null) ?? null,
  granted_scope: fromJson(r.granted_scope),
  granted_audience: fromJson(r.granted_audience),
  remember: bool(r.remember),
  remember_for: Number(r.remember_for),
  handled_at: Number(r.handled_at),
  data: fromJson(r.data),
  expires_at: r.expires_at == null ? null : Number(r.expires_at),
})

export class SqlFlowStore implements FlowStore {
  private readonly db: SqlDriver
  constructor(db: SqlDriver) {
    this.db = db
  }

  async upsertLoginSession(s: LoginSessionRow) {
    await this.db.run(
      `INSERT INTO login_sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, ${s.remember ? 'TRUE' : 'FALSE'}, $4, $5)
       ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, authenticated_at = excluded.authenticated_at,
         remember = excluded.remember, identity_provider_session_id = excluded.identity_provider_session_id,
         expires_at = excluded.expires_at`,
      [s.id, s.subject, s.authenticated_at, s.identity_provider_session_id, s.expires_at],
    )
  }

  async getLoginSession(id: string) {
    const rows = await this.db.all(`SELECT ${SESSION_COLUMNS} FROM login_sessions WHERE id = $1`, [id])
    return rows[0] ? toSession(rows[0]) : null
  }

  async deleteLoginSession(id: string) {
    return (await this.db.run('DELETE FROM login_sessions WHERE id = $1', [id])) > 0
  }

  async deleteLoginSessionsBySubject(subject: string) {
    const rows = await this.db.all<{ id: string }>('DELETE FROM login_sessions WHERE subject = $1 RETURNING id', [subject])
    return rows.map((r) => r.id)
  }

  async insertFlow(f: FlowRow) {
    try {
      await this.db.run(
        `INSERT INTO flows (${FLOW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, ${f.remember ? 'TRUE' : 'FALSE'}, $7, $8, $9, $10)`,
        [
          f.id,
          f.client_id,
          f.subject,
          f.login_session_id,
          toJson(f.granted_scope),
          toJson(f.granted_audience),
          f.remember_for,
          f.handled_at,
          toJson(f.data),
          f.expires_at,
        ],
      )
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('conflict', `flow ${f.id} was already used`)
      throw err
    }
  }

  async getFlow(id: string) {
    const rows = await this.db.all(`SELECT ${FLOW_COLUMNS} FROM flows WHERE id = $1`, [id])
    return rows[0] ? toFlow(rows[0]) : null
  }

  async listFlows(subject: string, clientId?: string) {
    const rows = clientId !== undefined
      ? await this.db.all(`SELECT ${FLOW_COLUMNS} FROM flows WHERE subject = $1 AND client_id = $2 ORDER BY handled_at DESC, id DESC`, [subject, clientId])
      : await this.db.all(`SELECT ${FLOW_COLUMNS} FROM flows WHERE subject = $1 ORDER BY handled_at DESC, id DESC`, [subject])
    return rows.map(toFlow)
  }

  async listRememberedFlows(subject: string, clientId: string) {
    const rows = await this.db.all(
      `SELECT ${FLOW_COLUMNS} FROM flows WHERE subject = $1 AND client_id = $2 AND remember = TRUE ORDER BY handled_at DESC, id DESC`,
      [subject, clientId],
    )
    return rows.map(toFlow)
  }

  async deleteFlows(subject: string, clientId?: string) {
    const rows = clientId !== undefined
      ? await this.db.all<{ id: string }>('DELETE FROM flows WHERE subject = $1 AND client_id = $2 RETURNING id', [subject, clientId])
      : await this.db.all<{ id: string }>('DELETE FROM flows WHERE subject = $1 RETURNING id', [subject])
    return rows.map((r) => r.id)
  }

  async listFlowsByLoginSession(sid: string) {
    const rows = await this.db.all(
      `SELECT ${FLOW_COLUMNS} FROM flows WHERE login_session_id = $1 ORDER BY handled_at DESC, id DESC`,
      [sid],
    )
    return rows.map(toFlow)
  }

  async deleteFlow(id: string) {
    return (await this.db.run('DELETE FROM flows WHERE id = $1', [id])) > 0
  }

  async markHandled(id: string, redirectTo: string, expiresAt: number) {
    const rows = await this.db.all(
      'INSERT INTO handled_challenges (id, redirect_to, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id',
      [id, redirectTo, expiresAt],
    )
    return rows.length === 1
  }

  async getHandled(id: string) {
    const rows = await this.db.all<{ redirect_to: string }>('SELECT redirect_to FROM handled_challenges WHERE id = $1', [id])
    return rows[0]?.redirect_to ?? null
  }

  async deleteExpired(before: number, limit: number) {
    const flows = await this.db.run(
      'DELETE FROM flows WHERE id IN (SELECT id FROM flows WHERE expires_at IS NOT NULL AND expires_at < $1 LIMIT $2)',
      [before, limit],
    )
    if (flows >= limit) return flows
    const sessions = await this.db.run(
      'DELETE FROM login_sessions WHERE id IN (SELECT id FROM login_sessions WHERE expires_at < $1 LIMIT $2)',
      [before, limit - flows],
    )
    if (flows + sessions >= limit) return flows + sessions
    const handled = await this.db.run(
      'DELETE FROM handled_challenges WHERE id IN (SELECT id FROM handled_challenges WHERE expires_at < $1 LIMIT $2)',
      [before, limit - flows - sessions],
    )
    return flows + sessions + handled
  }
}
