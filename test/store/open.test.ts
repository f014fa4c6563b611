import { describe, expect, it } from 'bun:test'
import { openStore, parseDsn, redactDsn } from '../../src/store/open.ts'
import { TEST_DATABASE_URL } from '../_harness.ts'
import { expectStoreError } from './_contract_rows.ts'

describe('parseDsn', () => {
  const cases: [string, ReturnType<typeof parseDsn>][] = [
    ['memory', { dialect: 'sqlite', target: ':memory:', cockroach: false }],
    ['sqlite://:memory:', { dialect: 'sqlite', target: ':memory:', cockroach: false }],
    ['sqlite://file::memory:?cache=shared', { dialect: 'sqlite', target: ':memory:', cockroach: false }],
    ['sqlite://data/db.sqlite', { dialect: 'sqlite', target: 'data/db.sqlite', cockroach: false }],
    ['sqlite:///var/lib/gatehouse/db.sqlite?_fk=true', { dialect: 'sqlite', target: '/var/lib/gatehouse/db.sqlite', cockroach: false }],
    ['postgres://u:p@db:5432/hydra', { dialect: 'postgres', target: 'postgres://u:p@db:5432/hydra', cockroach: false }],
    ['postgresql://u@db/hydra?sslmode=disable', { dialect: 'postgres', target: 'postgresql://u@db/hydra?sslmode=disable', cockroach: false }],
    ['cockroach://root@crdb:26257/defaultdb', { dialect: 'postgres', target: 'postgresql://root@crdb:26257/defaultdb', cockroach: true }],
    [
      'postgres://u:p@db/hydra?sslmode=disable&max_conns=20&max_idle_conns=4&max_conn_lifetime=1h&max_idle_conn_time=5m',
      { dialect: 'postgres', target: 'postgres://u:p@db/hydra?sslmode=disable', cockroach: false, max: 20 },
    ],
  ]
  for (const [dsn, parsed] of cases) {
    it(`reads ${dsn}`, () => {
      expect(parseDsn(dsn)).toEqual(parsed)
    })
  }

  for (const dsn of ['mysql://root:secret@db:3306/hydra', 'sqlite://', 'nonsense']) {
    it(`refuses ${dsn}`, () => {
      expect(() => parseDsn(dsn)).toThrow(/dsn: /)
    })
  }
})

describe('redactDsn', () => {
  const cases: [string, string][] = [
    ['postgres://hydra:s3cret@db:5432/hydra?sslmode=disable', 'postgres://hydra:***@db:5432/hydra?sslmode=disable'],
    ['postgres://hydra:p@ss:w/rd@db/hydra', 'postgres://hydra:***@db/hydra'],
    ['postgres://hydra@db/hydra?password=s3cret&sslmode=require', 'postgres://hydra@db/hydra?password=***&sslmode=require'],
    ['cockroach://root@crdb:26257/defaultdb', 'cockroach://root@crdb:26257/defaultdb'],
    ['sqlite:///var/lib/db.sqlite', 'sqlite:///var/lib/db.sqlite'],
    ['memory', 'memory'],
  ]
  for (const [dsn, redacted] of cases) {
    it(`hides the password in ${redacted}`, () => {
      expect(redactDsn(dsn)).toBe(redacted)
    })
  }
})

describe('openStore', () => {
  it('rejects an unreachable PostgreSQL server with unavailable, naming the DSN without its password', async () => {
    const err = await expectStoreError(openStore('postgres://postgres:hunter2@127.0.0.1:1/test'), 'unavailable')
    expect(err.message).toContain('postgres://postgres:***@127.0.0.1:1/test')
    expect(err.message).not.toContain('hunter2')
  })

  it('rejects a SQLite path that cannot be created with unavailable', async () => {
    await expectStoreError(openStore('sqlite:///nonexistent-gatehouse-dir/sub/db.sqlite'), 'unavailable')
  })

  it('opens memory and answers ping', async () => {
    const store = await openStore('memory')
    try {
      expect(store.dialect).toBe('sqlite')
      await store.ping()
    } finally {
      await store.close()
    }
  })

  it.skipIf(!TEST_DATABASE_URL)('accepts Hydra pool parameters in a PostgreSQL DSN', async () => {
    const url = TEST_DATABASE_URL!
    const store = await openStore(`${url}${url.includes('?') ? '&' : '?'}max_conns=3&max_idle_conns=1&max_conn_lifetime=1h`)
    try {
      expect(store.dialect).toBe('postgres')
      await store.ping()
    } finally {
      await store.close()
    }
  })
})
