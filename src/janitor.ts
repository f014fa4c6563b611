import type { Store } from './store/types.ts'
import type { Clock } from './util/clock.ts'

export interface JanitorOptions {
  /** Expired access tokens, refresh tokens, authorization codes, device codes and remembered assertion ids. */
  tokens: boolean
  /** Expired consent flows, login sessions and device challenges' attempt counters. */
  requests: boolean
  /** Expired trust relationships of the jwt-bearer grant. */
  grants?: boolean
  /** At most this many rows per table (flows and login sessions count together). */
  limit: number
  /** Rows deleted per statement. */
  batchSize: number
  /** Keep rows that expired less than this many milliseconds ago. */
  keepIfYounger: number
}

export interface JanitorResult {
  table: string
  deleted: number
}

type Delete = (store: Store, before: number, limit: number) => Promise<number>

const TOKEN_TABLES: [string, Delete][] = [
  ['access_tokens', (s, before, n) => s.tokens.deleteExpired('access_token', before, n)],
  ['refresh_tokens', (s, before, n) => s.tokens.deleteExpired('refresh_token', before, n)],
  ['authorization_codes', (s, before, n) => s.tokens.deleteExpired('authorization_code', before, n)],
  ['device_codes', (s, before, n) => s.devices.deleteExpired(before, n)],
  ['jti_blacklist', (s, before, n) => s.jti.deleteExpired(before, n)],
]

const REQUEST_TABLES: [string, Delete][] = [
  ['flows, login_sessions', (s, before, n) => s.flows.deleteExpired(before, n)],
  ['device_challenge_attempts', (s, before, n) => s.devices.deleteExpiredAttempts(before, n)],
]

const GRANT_TABLES: [string, Delete][] = [['trusted_jwt_issuers', (s, before, n) => s.trust.deleteExpired(before, n)]]

/** Deletes batch after batch until a batch comes back short or the limit is reached. */
async function sweep(store: Store, del: Delete, before: number, options: JanitorOptions): Promise<number> {
  let total = 0
  while (total < options.limit) {
    const size = Math.min(options.batchSize, options.limit - total)
    const deleted = await del(store, before, size)
    total += deleted
    if (deleted < size) break
  }
  return total
}

/**
 * Deletes expired rows in bounded batches, table by table; rows are never loaded into memory. With none of
 * `tokens`, `requests` and `grants` set, every kind is cleaned.
 */
export async function runJanitor(store: Store, clock: Clock, options: JanitorOptions): Promise<JanitorResult[]> {
  const all = !options.tokens && !options.requests && !options.grants
  const tables = [
    ...(options.tokens || all ? TOKEN_TABLES : []),
    ...(options.requests || all ? REQUEST_TABLES : []),
    ...(options.grants || all ? GRANT_TABLES : []),
  ]
  const before = clock() - options.keepIfYounger
  const results: JanitorResult[] = []
  for (const [table, del] of tables) results.push({ table, deleted: await sweep(store, del, before, options) })
  return results
}
