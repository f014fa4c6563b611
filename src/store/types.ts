/** Kinds of token rows; each lives in its own table and is keyed by the token's HMAC signature. */
export type TokenKind = 'access_token' | 'refresh_token' | 'authorization_code'

/** A token session row. Only the signature of the token is stored, never the token. */
export interface TokenRow {
  signature: string
  /** The grant family: every token descended from one authorization shares it. */
  request_id: string
  client_id: string
  subject: string
  granted_scope: string[]
  granted_audience: string[]
  /** AES-GCM sealed session (claims, PKCE, nonce, …). */
  session_data: string
  active: boolean
  requested_at: number
  expires_at: number
  /** Consent flow the token was issued under, if any. */
  flow_id: string | null
  /** Refresh tokens: when first redeemed, how often, and the access token issued beside it. */
  first_used_at: number | null
  used_times: number
  access_token_signature: string | null
}

export interface TokenStore {
  /** Throws StoreError('conflict') when a token of this kind has the signature already. */
  insert(kind: TokenKind, row: TokenRow): Promise<void>
  /**
   * Inserts tokens of any kinds, all or none (StoreError('conflict') like insert). Outside a transaction,
   * concurrent calls may share one commit (group commit); each resolves once its own rows are committed.
   */
  insertAll(rows: readonly (readonly [TokenKind, TokenRow])[]): Promise<void>
  get(kind: TokenKind, signature: string): Promise<TokenRow | null>
  /**
   * Marks an active token used and returns it, atomically: of any number of concurrent callers across
   * processes, exactly one receives the row. Others (and later callers) get null.
   */
  consume(kind: TokenKind, signature: string, now: number): Promise<TokenRow | null>
  /**
   * Redeems a refresh token under graceful rotation (`oauth2.grant.refresh_token.rotation_grace_period`),
   * atomically: an active token unexpired at `now` is marked used (`first_used_at` on the first use,
   * `used_times` + 1) and returned when it is unused, or used before with `used_times` ≤ `reuseCount`
   * (0: no limit). It stays active; its first use cuts its expiry to `now + gracePeriod`. Null otherwise.
   */
  useWithGrace(signature: string, now: number, gracePeriod: number, reuseCount: number): Promise<TokenRow | null>
  /**
   * Records a refused presentation of a spent token (a replayed code, a reused refresh token): `used_times` + 1
   * and deactivated, so a concurrent redemption of the same token can see it. Returns the row, null when unknown.
   */
  recordReuse(kind: TokenKind, signature: string): Promise<TokenRow | null>
  /** Deactivates one token; returns whether it was active. */
  deactivate(kind: TokenKind, signature: string): Promise<boolean>
  /** Deactivates every token of a grant family in every table, atomically; returns how many were active. */
  revokeFamily(requestId: string): Promise<number>
  /** Deactivates every token issued under any of these flows (`flow_id`) in every table, atomically; returns how many were active. */
  revokeByFlows(flowIds: readonly string[]): Promise<number>
  /** Deletes every token of a kind issued to a client. */
  deleteByClient(kind: TokenKind, clientId: string): Promise<number>
  /** Deletes up to `limit` rows that expired before `before`; returns how many it deleted. */
  deleteExpired(kind: TokenKind, before: number, limit: number): Promise<number>
  count(kind: TokenKind): Promise<number>
}

/** One-time values (client assertion `jti`s, spent c_nonces) remembered until they expire. */
export interface JtiStore {
  /** Records a value; false when it was already recorded and has not expired (a replay). */
  remember(signature: string, expiresAt: number, now: number): Promise<boolean>
  /** Deletes up to `limit` values that expired before `before`; returns how many it deleted. */
  deleteExpired(before: number, limit: number): Promise<number>
}

export interface ClientRow {
  id: string
  client_name: string
  owner: string
  /** Hash of the current secret; null for public clients. */
  secret_hash: string | null
  /** Hashes of earlier secrets still accepted after rotation (newest first). */
  rotated_secrets: string[]
  /**
   * The current secret sealed with the system secret (AAD `client/<id>`), kept only for
   * client_secret_jwt clients, whose HMAC assertions need the plaintext; null otherwise.
   * On update, undefined keeps the stored value and null clears it.
   */
  secret_sealed?: string | null
  /**
   * The HMAC signature of the client's registration access token (RFC 7592), for clients registered
   * dynamically; null otherwise. On update, undefined keeps the stored value.
   */
  registration_access_token_signature?: string | null
  /** The client document (Hydra's oAuth2Client without secret fields) as JSON. */
  data: Record<string, unknown>
  created_at: number
  updated_at: number
}

export interface ClientListQuery {
  limit: number
  /** Keyset pagination: return clients whose id sorts after this. */
  after?: string
  client_name?: string
  owner?: string
}

export interface ClientStore {
  /** Throws StoreError('conflict') when the id exists. */
  create(row: ClientRow): Promise<void>
  get(id: string): Promise<ClientRow | null>
  /**
   * Throws StoreError('not_found') when the id does not exist or, given `ifRegistration`, when the stored
   * registration access token signature is not that one (a concurrent rotation won).
   */
  update(row: ClientRow, ifRegistration?: string): Promise<void>
  delete(id: string): Promise<boolean>
  list(query: ClientListQuery): Promise<ClientRow[]>
}

export interface KeyRow {
  set_id: string
  kid: string
  /** AES-GCM sealed JWK JSON (private parts included). */
  keydata: string
  created_at: number
}

export interface KeyStore {
  /** Throws StoreError('conflict') when the set already has the kid. */
  add(row: KeyRow): Promise<void>
  /** Newest first. */
  listSet(setId: string): Promise<KeyRow[]>
  get(setId: string, kid: string): Promise<KeyRow | null>
  deleteSet(setId: string): Promise<number>
  deleteKey(setId: string, kid: string): Promise<boolean>
}

/**
 * A trust relationship of the jwt-bearer grant (RFC 7523 §2.1, Hydra's trust API): assertions that `issuer` signs
 * with `jwk` about `subject` (any subject when `allow_any_subject`) may be exchanged for tokens of `scope` until
 * `expires_at`.
 */
export interface TrustRow {
  id: string
  issuer: string
  /** '' when `allow_any_subject`. */
  subject: string
  allow_any_subject: boolean
  scope: string[]
  /** The `kid` of `jwk`. */
  key_id: string
  /** The issuer's public JSON Web Key. */
  jwk: Record<string, unknown>
  created_at: number
  expires_at: number
}

export interface TrustListQuery {
  limit: number
  /** Keyset pagination: return trusts whose id sorts after this. */
  after?: string
  issuer?: string
}

export interface TrustStore {
  /** Throws StoreError('conflict') when the id exists, or a trust of the same issuer, subject and key_id. */
  create(row: TrustRow): Promise<void>
  get(id: string): Promise<TrustRow | null>
  delete(id: string): Promise<boolean>
  /** Ordered by id. */
  list(query: TrustListQuery): Promise<TrustRow[]>
  /**
   * The trusts unexpired at `now` of `issuer` that name `subject` or allow any subject, and only those of `keyId`
   * when given: those naming the subject first, then newest first; at most `limit`.
   */
  findLive(issuer: string, subject: string, now: number, limit: number, keyId?: string): Promise<TrustRow[]>
  /** Deletes up to `limit` trusts that expired before `before`; returns how many it deleted. */
  deleteExpired(before: number, limit: number): Promise<number>
}

export interface LoginSessionRow {
  id: string
  subject: string
  authenticated_at: number
  remember: boolean
  identity_provider_session_id: string
  expires_at: number
}

/** A completed login + consent flow, persisted once when the consent verifier is redeemed. */
export interface FlowRow {
  id: string
  client_id: string
  subject: string
  login_session_id: string | null
  granted_scope: string[]
  granted_audience: string[]
  remember: boolean
  /** Seconds; 0 = forever. */
  remember_for: number
  handled_at: number
  /** Everything else of the flow (requests, session claims, context) as JSON. */
  data: Record<string, unknown>
  expires_at: number | null
}

export interface FlowStore {
  upsertLoginSession(row: LoginSessionRow): Promise<void>
  getLoginSession(id: string): Promise<LoginSessionRow | null>
  deleteLoginSession(id: string): Promise<boolean>
  deleteLoginSessionsBySubject(subject: string): Promise<string[]>
  /** Single-use: throws StoreError('conflict') when a flow with this id was already stored. */
  insertFlow(row: FlowRow): Promise<void>
  getFlow(id: string): Promise<FlowRow | null>
  /** Flows of a subject (and optionally one client), newest first. */
  listFlows(subject: string, clientId?: string): Promise<FlowRow[]>
  /** The remembered flows of a subject with one client (candidates for consent `skip`), newest first. */
  listRememberedFlows(subject: string, clientId: string): Promise<FlowRow[]>
  deleteFlows(subject: string, clientId?: string): Promise<string[]>
  /** Flows of one login session (`login_session_id`), newest first: the clients to notify when it ends. */
  listFlowsByLoginSession(sid: string): Promise<FlowRow[]>
  /** Deletes one flow; returns whether it existed. */
  deleteFlow(id: string): Promise<boolean>
  /**
   * Records that a challenge or verifier was handled, with the (sealed) redirect it answered; single-winner
   * across processes: false when `id` was already recorded.
   */
  markHandled(id: string, redirectTo: string, expiresAt: number): Promise<boolean>
  /** The (sealed) redirect recorded for a handled challenge, or null. */
  getHandled(id: string): Promise<string | null>
  /** Deletes up to `limit` expired rows, flows first, then login sessions, then handled challenges; returns how many it deleted. */
  deleteExpired(before: number, limit: number): Promise<number>
}

/** How far the user got with a device authorization's user code (RFC 8628 §3.3). */
export type UserCodeState = 'pending' | 'accepted' | 'denied'

/**
 * A device authorization (RFC 8628 §3.1): its device code and user code, each kept only by its HMAC signature, what
 * the device asked for, and once the user consented what was granted, with the sealed session of the grant.
 */
export interface DeviceCodeRow {
  signature: string
  user_code_signature: string
  /** The grant family of the tokens the device code is redeemed for; the login and consent flow carries it. */
  request_id: string
  client_id: string
  requested_scope: string[]
  requested_audience: string[]
  user_code_state: UserCodeState
  /** Set when accepted ('' and [] before). */
  subject: string
  granted_scope: string[]
  granted_audience: string[]
  /** AES-GCM sealed session of the grant; '' until accepted. */
  session_data: string
  /** The consent flow that accepted it. */
  flow_id: string | null
  /** False once redeemed (or a redemption was refused as a replay). */
  active: boolean
  used_times: number
  /** Least milliseconds between two polls; grows on every poll that comes too soon while pending. */
  poll_interval: number
  last_polled_at: number | null
  requested_at: number
  expires_at: number
}

/** What a consent grants a pending device authorization. */
export type DeviceGrant = Pick<DeviceCodeRow, 'subject' | 'granted_scope' | 'granted_audience' | 'session_data' | 'flow_id'>

export interface DeviceStore {
  /**
   * Stores a new device authorization. False, with nothing stored, when a live one has the same user code (the caller
   * draws another); an expired one with it is replaced. StoreError('conflict') when the device code signature exists.
   */
  insert(row: DeviceCodeRow, now: number): Promise<boolean>
  get(signature: string): Promise<DeviceCodeRow | null>
  getByUserCode(userCodeSignature: string): Promise<DeviceCodeRow | null>
  /**
   * Settles a pending, unexpired authorization, atomically: of concurrent callers across processes exactly one
   * moves it from pending. `accept` records the grant and returns the row; `deny` returns whether it moved.
   */
  accept(requestId: string, grant: DeviceGrant, now: number): Promise<DeviceCodeRow | null>
  deny(requestId: string, now: number): Promise<boolean>
  /**
   * Records a poll of the client's device code at `now` and returns the row: `tooFast` when it came sooner than
   * `poll_interval` after the previous one, in which case a pending authorization's interval grows by `slowDown`.
   * Of concurrent polls within one interval, one at most is on time. Null for an unknown code or another client's.
   */
  poll(signature: string, clientId: string, now: number, slowDown: number): Promise<{ row: DeviceCodeRow; tooFast: boolean } | null>
  /** Redeems an active, accepted authorization once and returns it (single winner across processes); null otherwise. */
  consume(signature: string): Promise<DeviceCodeRow | null>
  /** Records a refused redemption of a spent device code (`used_times` + 1, inactive); null when unknown. */
  recordReuse(signature: string): Promise<DeviceCodeRow | null>
  /** Deletes up to `limit` device authorizations that expired before `before`; returns how many it deleted. */
  deleteExpired(before: number, limit: number): Promise<number>
  /** Counts one more user code tried for a device challenge and returns how many were (the first is 1). */
  countAttempt(challengeId: string, expiresAt: number): Promise<number>
  /** Deletes up to `limit` attempt counters of challenges that expired before `before`. */
  deleteExpiredAttempts(before: number, limit: number): Promise<number>
}

export type Dialect = 'sqlite' | 'postgres'

export interface Store {
  readonly dialect: Dialect
  readonly clients: ClientStore
  readonly keys: KeyStore
  readonly tokens: TokenStore
  readonly flows: FlowStore
  readonly jti: JtiStore
  readonly trust: TrustStore
  readonly devices: DeviceStore
  /** Runs `fn` in one transaction; everything it does through the given store commits or rolls back together. */
  tx<T>(fn: (store: Store) => Promise<T>): Promise<T>
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>
  close(): Promise<void>
}

export class StoreError extends Error {
  readonly code: 'not_found' | 'conflict' | 'unavailable' | 'migration'
  constructor(code: StoreError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreError'
    this.code = code
  }
}
