import { expect } from 'bun:test'
import type { SqlStore } from '../../src/store/sql/store.ts'
import {
  StoreError,
  type ClientRow,
  type FlowRow,
  type KeyRow,
  type LoginSessionRow,
  type TokenKind,
  type TokenRow,
  type TrustRow,
} from '../../src/store/types.ts'

/** What each contract section gets: the running test's stores. */
export interface ContractContext {
  /** The running test's store: fresh, migrated, empty. */
  store(): SqlStore
  /** `count` stores with separate connections on another fresh database, closed after the test. */
  shared(count: number): Promise<SqlStore[]>
}

export const T0 = Date.UTC(2026, 0, 1)
export const HOUR = 3_600_000
export const KINDS: TokenKind[] = ['access_token', 'refresh_token', 'authorization_code']

/** Text that trips naive quoting and encoding: quotes, SQL, placeholders, non-BMP characters. */
export const AWKWARD = `Zoë's "app" — 日本語 🔐 \\ '; DROP TABLE clients; -- $1 ?1 %s \u00e9\u0301 \t\n`
/** A string larger than any page or buffer default (1 MiB + change). */
export const LONG = 'x🔑'.repeat(350_000) + AWKWARD

export function clientRow(id: string, over: Partial<ClientRow> = {}): ClientRow {
  return {
    id,
    client_name: `name of ${id}`,
    owner: 'owner-a',
    secret_hash: `$pbkdf2-sha256$i=1000,l=32$c2FsdA$${id}`,
    rotated_secrets: [],
    secret_sealed: null,
    registration_access_token_signature: null,
    data: { client_id: id, redirect_uris: [`https://rp.example/${id}/cb`], grant_types: ['authorization_code'] },
    created_at: T0,
    updated_at: T0,
    ...over,
  }
}

export function keyRow(set_id: string, kid: string, over: Partial<KeyRow> = {}): KeyRow {
  return { set_id, kid, keydata: `sealed:${set_id}:${kid}`, created_at: T0, ...over }
}

export function tokenRow(signature: string, over: Partial<TokenRow> = {}): TokenRow {
  return {
    signature,
    request_id: 'req-1',
    client_id: 'client-1',
    subject: 'alice',
    granted_scope: ['openid', 'offline_access'],
    granted_audience: ['https://api.example'],
    session_data: `sealed-session-of-${signature}`,
    active: true,
    requested_at: T0,
    expires_at: T0 + HOUR,
    flow_id: null,
    first_used_at: null,
    used_times: 0,
    access_token_signature: null,
    ...over,
  }
}

export function sessionRow(id: string, over: Partial<LoginSessionRow> = {}): LoginSessionRow {
  return {
    id,
    subject: 'alice',
    authenticated_at: T0,
    remember: true,
    identity_provider_session_id: `idp-${id}`,
    expires_at: T0 + 24 * HOUR,
    ...over,
  }
}

export function flowRow(id: string, over: Partial<FlowRow> = {}): FlowRow {
  return {
    id,
    client_id: 'client-1',
    subject: 'alice',
    login_session_id: 'ls-1',
    granted_scope: ['openid'],
    granted_audience: [],
    remember: true,
    remember_for: 3600,
    handled_at: T0,
    data: { requested_scope: ['openid'], session: { id_token: { acr: '1' } } },
    expires_at: T0 + 30 * 24 * HOUR,
    ...over,
  }
}

export function trustRow(id: string, over: Partial<TrustRow> = {}): TrustRow {
  return {
    id,
    issuer: 'https://idp.example',
    subject: 'alice',
    allow_any_subject: false,
    scope: ['read', 'write'],
    key_id: 'kid-1',
    jwk: { kty: 'EC', crv: 'P-256', x: 'x-of-kid-1', y: 'y-of-kid-1', kid: 'kid-1', alg: 'ES256', use: 'sig' },
    created_at: T0,
    expires_at: T0 + 24 * HOUR,
    ...over,
  }
}

/** Awaits `p` and checks it rejected with a StoreError of `code`. */
export async function expectStoreError(p: Promise<unknown>, code: StoreError['code']): Promise<StoreError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(StoreError)
  expect((err as StoreError).code).toBe(code)
  return err as StoreError
}

/** Lets other tasks (and other connections' timers) run, without waiting for any time to pass. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))
