import type { TokenKind, TokenRow } from '../types.ts'
import { toJson } from './json.ts'

/** Column order of the token tables. */
export const TOKEN_COLUMNS =
  'signature, request_id, client_id, subject, granted_scope, granted_audience, session_data, active, requested_at, expires_at, flow_id, first_used_at, used_times, access_token_signature'

const RECORD_TYPE =
  'signature text, request_id text, client_id text, subject text, granted_scope text, granted_audience text, session_data text, ' +
  'active boolean, requested_at bigint, expires_at bigint, flow_id text, first_used_at bigint, used_times bigint, access_token_signature text'

const recordOf = (t: TokenRow) => ({
  signature: t.signature,
  request_id: t.request_id,
  client_id: t.client_id,
  subject: t.subject,
  granted_scope: toJson(t.granted_scope),
  granted_audience: toJson(t.granted_audience),
  session_data: t.session_data,
  active: t.active,
  requested_at: t.requested_at,
  expires_at: t.expires_at,
  flow_id: t.flow_id,
  first_used_at: t.first_used_at,
  used_times: t.used_times,
  access_token_signature: t.access_token_signature,
})

/**
 * One PostgreSQL statement inserting every row of a batch, whatever tables they go to: per table an
 * INSERT … SELECT from a JSON array of records, chained as data-modifying CTEs. A single statement is atomic
 * on its own, so the batch costs one round trip and one commit instead of BEGIN, an INSERT per row and COMMIT.
 */
export function tokenBatchInsert(
  tables: Record<TokenKind, string>,
  rows: readonly (readonly [TokenKind, TokenRow])[],
): { text: string; params: string[] } {
  const byKind = new Map<TokenKind, ReturnType<typeof recordOf>[]>()
  for (const [kind, row] of rows) {
    let list = byKind.get(kind)
    if (!list) byKind.set(kind, (list = []))
    list.push(recordOf(row))
  }
  const params: string[] = []
  const inserts: string[] = []
  for (const [kind, list] of byKind) {
    params.push(JSON.stringify(list))
    inserts.push(
      `INSERT INTO ${tables[kind]} (${TOKEN_COLUMNS}) SELECT ${TOKEN_COLUMNS} FROM json_to_recordset($${params.length}::text::json) AS r(${RECORD_TYPE})`,
    )
  }
  const last = inserts.pop()!
  const text = inserts.length ? `WITH ${inserts.map((s, i) => `w${i} AS (${s})`).join(', ')} ${last}` : last
  return { text, params }
}
