import type { JWK } from 'jose'
import type { OAuth2Client } from './client.ts'

/** A stored client as the protocol needs it: the wire document plus its secret hashes. */
export interface ClientRecord {
  client: OAuth2Client
  secret_hash: string | null
  rotated_secrets: string[]
  /** The sealed current secret of a client_secret_jwt client (see ClientRow.secret_sealed); undefined when not loaded. */
  secret_sealed?: string | null
}

/** Client lookups for the protocol core; cached per node and invalidated when a client changes. */
export interface ClientDirectory {
  get(id: string): Promise<ClientRecord | null>
  /** Checks a presented secret against the current and rotated hashes; recently verified secrets skip the hash. */
  verifySecret(record: ClientRecord, secret: string): Promise<boolean>
  /** Drops cached state of a client (called on update, delete, secret rotation). */
  invalidate(id: string): void
}

/** The newest private key of a set, ready to sign. */
export interface SigningKey {
  kid: string
  alg: string
  key: CryptoKey
}

/** JSON Web Key sets for signing and publication. */
export interface KeyManager {
  /** The key that signs for a set: its newest private key; a missing set is generated first. */
  signingKey(setId: string): Promise<SigningKey>
  /** Public keys of every broadcast set (`webfinger.jwks.broadcast_keys`), never private parts. */
  publicJwks(): Promise<{ keys: JWK[] }>
  /** Creates the default sets (`hydra.openid.id-token`, `hydra.jwt.access-token`) when missing. */
  ensureDefaultSets(): Promise<void>
  /** Drops cached keys of a set (called when a set changes). */
  invalidate(setId: string): void
}

export const ID_TOKEN_SET = 'hydra.openid.id-token'
export const ACCESS_TOKEN_SET = 'hydra.jwt.access-token'

/** A cache entry another worker thread of the same server must drop: a changed client or key set. */
export interface Invalidation {
  type: 'invalidate'
  what: 'client' | 'key_set'
  id: string
}

/** The other worker threads of this server (`serve.workers`), if any. */
export interface Peers {
  /** Tells every other worker thread; never delivered back to the sender. */
  publish(message: Invalidation): void
}

/** A server of one thread. */
export const noPeers: Peers = { publish() {} }

/** A client changed: this thread and every other worker drop it at once. */
export function invalidateClient(ctx: { clients: ClientDirectory; peers: Peers }, clientId: string): void {
  ctx.clients.invalidate(clientId)
  ctx.peers.publish({ type: 'invalidate', what: 'client', id: clientId })
}

/** A key set changed: this thread and every other worker drop it at once. */
export function invalidateKeySet(ctx: { keys: KeyManager; peers: Peers }, setId: string): void {
  ctx.keys.invalidate(setId)
  ctx.peers.publish({ type: 'invalidate', what: 'key_set', id: setId })
}
