import type { ClientRecord } from '../protocol/services.ts'
import type { ClientRow } from '../store/types.ts'
import type { OAuth2Client } from '../protocol/client.ts'

/** RFC 3339 as Go prints it: fractional seconds only when non-zero, trailing zeros trimmed. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_, f: string) => (f ? `.${f}Z` : 'Z'))
}

/** The stored row as the protocol sees it; timestamps come from the row's columns. */
export function recordFromRow(row: ClientRow): ClientRecord {
  const client = {
    ...row.data,
    client_id: row.id,
    client_name: row.client_name,
    owner: row.owner,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  } as OAuth2Client
  return {
    client,
    secret_hash: row.secret_hash,
    rotated_secrets: [...row.rotated_secrets],
    secret_sealed: row.secret_sealed ?? null,
  }
}
