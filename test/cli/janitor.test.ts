import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { runJanitor, type JanitorOptions } from '../../src/janitor.ts'
import { migrate } from '../../src/store/migrate.ts'
import { SqliteDriver } from '../../src/store/sqlite/driver.ts'
import { SqlStore } from '../../src/store/sql/store.ts'
import type { Store, TokenKind, TokenRow } from '../../src/store/types.ts'
import { manualClock } from '../../src/util/clock.ts'
import { cleanupAfterAll, databases, tempDir, type Database } from './_cli.ts'
import { deviceRow, runCli } from '../_harness.ts'

cleanupAfterAll()

const HOUR = 3_600_000
const NOW = Date.now()

const token = (signature: string, expiresAt: number): TokenRow => ({
  signature,
  request_id: `req-${signature}`,
  client_id: 'client',
  subject: 'alice',
  granted_scope: ['openid'],
  granted_audience: [],
  session_data: 'sealed',
  active: true,
  requested_at: expiresAt - HOUR,
  expires_at: expiresAt,
  flow_id: null,
  first_used_at: null,
  used_times: 0,
  access_token_signature: null,
})

/** `expired` rows that expired an hour ago and `live` rows that expire in an hour, in every table. */
async function seed(store: Store, expired: number, live: number) {
  const kinds: TokenKind[] = ['access_token', 'refresh_token', 'authorization_code']
  for (const [prefix, count, expiresAt] of [['old', expired, NOW - HOUR], ['new', live, NOW + HOUR]] as const) {
    for (let i = 0; i < count; i++) {
      for (const kind of kinds) await store.tokens.insert(kind, token(`${prefix}-${kind}-${i}`, expiresAt))
      await store.jti.remember(`${prefix}-jti-${i}`, expiresAt, expiresAt - HOUR)
      await store.devices.insert(deviceRow(`${prefix}-device-${i}`, { requested_at: expiresAt - HOUR, expires_at: expiresAt }), expiresAt - HOUR)
      await store.devices.countAttempt(`${prefix}-challenge-${i}`, expiresAt)
      await store.flows.upsertLoginSession({
        id: `${prefix}-session-${i}`,
        subject: 'alice',
        authenticated_at: expiresAt - HOUR,
        remember: true,
        identity_provider_session_id: '',
        expires_at: expiresAt,
      })
      await store.trust.create({
        id: `${prefix}-trust-${i}`,
        issuer: 'https://idp.test',
        subject: `${prefix}-subject-${i}`,
        allow_any_subject: false,
        scope: [],
        key_id: 'kid',
        jwk: {},
        created_at: expiresAt - HOUR,
        expires_at: expiresAt,
      })
      await store.flows.insertFlow({
        id: `${prefix}-flow-${i}`,
        client_id: 'client',
        subject: 'alice',
        login_session_id: `${prefix}-session-${i}`,
        granted_scope: ['openid'],
        granted_audience: [],
        remember: true,
        remember_for: 3600,
        handled_at: expiresAt - HOUR,
        data: {},
        expires_at: expiresAt,
      })
    }
  }
}

async function openFile(path: string) {
  const store = new SqlStore(new SqliteDriver(path))
  await migrate(store.driver)
  return store
}

/** A fresh migrated database seeded with `expired` and `live` rows in every table; returns its DSN. */
async function seeded(db: Database, expired: number, live: number) {
  const dsn = await db.fresh()
  const store = db.open(dsn)
  await migrate(store.driver)
  await seed(store, expired, live)
  await store.close()
  return dsn
}

async function countsAt(db: Database, dsn: string) {
  const store = db.open(dsn)
  try {
    return await counts(store)
  } finally {
    await store.close()
  }
}

async function counts(store: SqlStore) {
  const n = async (table: string) =>
    Number((await store.driver.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n)
  const tables = [
    'access_tokens',
    'refresh_tokens',
    'authorization_codes',
    'device_codes',
    'jti_blacklist',
    'flows',
    'login_sessions',
    'device_challenge_attempts',
    'trusted_jwt_issuers',
  ]
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await n(t)] as const)))
}

const options = (o: Partial<JanitorOptions> = {}): JanitorOptions => ({
  tokens: false,
  requests: false,
  limit: 10_000,
  batchSize: 100,
  keepIfYounger: 0,
  ...o,
})

describe('runJanitor', () => {
  it('deletes in batches no larger than the batch size and stops at the limit', async () => {
    const store = await openFile(':memory:')
    await seed(store, 7, 2)
    const sizes: number[] = []
    const deleteExpired = store.tokens.deleteExpired.bind(store.tokens)
    store.tokens.deleteExpired = (kind, before, limit) => {
      if (kind === 'access_token') sizes.push(limit)
      return deleteExpired(kind, before, limit)
    }
    const results = await runJanitor(store, manualClock(NOW), options({ tokens: true, batchSize: 3, limit: 5 }))
    expect(sizes).toEqual([3, 2])
    expect(results).toEqual([
      { table: 'access_tokens', deleted: 5 },
      { table: 'refresh_tokens', deleted: 5 },
      { table: 'authorization_codes', deleted: 5 },
      { table: 'device_codes', deleted: 5 },
      { table: 'jti_blacklist', deleted: 5 },
    ])
    expect(await counts(store)).toMatchObject({ access_tokens: 4, device_codes: 4, flows: 9, login_sessions: 9, device_challenge_attempts: 9 })
    await store.close()
  })

  it('keeps rows that expired less than keepIfYounger ago', async () => {
    const store = await openFile(':memory:')
    await seed(store, 3, 1)
    const results = await runJanitor(store, manualClock(NOW), options({ keepIfYounger: 2 * HOUR }))
    expect(results.every((r) => r.deleted === 0)).toBe(true)
    const later = await runJanitor(store, manualClock(NOW + 2 * HOUR), options({ keepIfYounger: 90 * 60_000 }))
    expect(later.find((r) => r.table === 'access_tokens')?.deleted).toBe(3)
    await store.close()
  })
})

for (const db of databases()) {
  describe(`gatehouse janitor (${db.name})`, () => {
    it('deletes expired rows of every table, keeps live ones and reports per table', async () => {
      const dsn = await seeded(db, 5, 2)
      const r = await runCli(['janitor', dsn, '--batch-size', '2'])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^TABLE\s+DELETED\naccess_tokens\s+5\n/)
      expect(r.stdout).toMatch(/flows, login_sessions\s+10\ndevice_challenge_attempts\s+5\ntrusted_jwt_issuers\s+5\n/)
      expect(await countsAt(db, dsn)).toEqual({
        access_tokens: 2,
        refresh_tokens: 2,
        authorization_codes: 2,
        device_codes: 2,
        jti_blacklist: 2,
        flows: 2,
        login_sessions: 2,
        trusted_jwt_issuers: 2,
        device_challenge_attempts: 2,
      })
    })

    it('cleans only expired trust relationships with --grants', async () => {
      const dsn = await seeded(db, 4, 1)
      const r = await runCli(['janitor', dsn, '--grants', '--format', 'json'])
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout)).toEqual([{ table: 'trusted_jwt_issuers', deleted: 4 }])
      expect(await countsAt(db, dsn)).toMatchObject({ trusted_jwt_issuers: 1, access_tokens: 5, flows: 5 })
    })

    it('cleans only what --tokens or --requests names, up to --limit', async () => {
      const dsn = await seeded(db, 5, 0)
      const tokens = await runCli(['janitor', dsn, '--tokens', '--limit', '3', '--format', 'json'])
      expect(tokens.code).toBe(0)
      expect(JSON.parse(tokens.stdout)).toEqual([
        { table: 'access_tokens', deleted: 3 },
        { table: 'refresh_tokens', deleted: 3 },
        { table: 'authorization_codes', deleted: 3 },
        { table: 'device_codes', deleted: 3 },
        { table: 'jti_blacklist', deleted: 3 },
      ])
      const requests = await runCli(['janitor', '-e', '--requests', '--format', 'json'], { DSN: dsn })
      expect(JSON.parse(requests.stdout)).toEqual([
        { table: 'flows, login_sessions', deleted: 10 },
        { table: 'device_challenge_attempts', deleted: 5 },
      ])
      expect(await countsAt(db, dsn)).toEqual({
        access_tokens: 2,
        refresh_tokens: 2,
        authorization_codes: 2,
        device_codes: 2,
        jti_blacklist: 2,
        flows: 0,
        login_sessions: 0,
        trusted_jwt_issuers: 5,
        device_challenge_attempts: 0,
      })
    })
  })
}

describe('gatehouse janitor', () => {
  it('refuses an unmigrated database and bad flag values', async () => {
    const dsn = `sqlite://${join(tempDir(), 'empty.sqlite')}`
    const r = await runCli(['janitor', dsn])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('gatehouse migrate sql')
    const cases = [['--batch-size', '0'], ['--limit', '-3'], ['--keep-if-younger', 'soon']]
    for (const bad of await Promise.all(cases.map((flags) => runCli(['janitor', dsn, ...flags])))) {
      expect(bad.code).toBe(2)
    }
  })
})
