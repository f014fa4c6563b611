import { createHmac, randomBytes } from 'node:crypto'
import type { ClientDirectory, ClientRecord } from '../protocol/services.ts'
import type { Store } from '../store/types.ts'
import type { Clock } from '../util/clock.ts'
import { recordFromRow } from './record.ts'
import { compareSecret } from './secret_hash.ts'
import { deepFreeze } from '../util/deep_freeze.ts'

export interface DirectoryOptions {
  /** How long a looked-up client is served from memory (ms). */
  recordTtl?: number
  /** How long a successfully verified secret skips the hash (ms). */
  secretTtl?: number
  /** Upper bound of each cache. */
  maxEntries?: number
  /** Compares a secret with a stored hash; defaults to the real hashers. */
  compare?: (secret: string, hash: string) => Promise<boolean>
}

/**
 * Per-node client lookups. Records are cached for a few seconds; a verified secret is remembered under
 * an HMAC of (client id, hash, secret) with a per-process key, so a busy client does not pay a PBKDF2 per
 * request while nothing usable about the secret is kept in memory. Failures are never cached.
 */
export class CachedClientDirectory implements ClientDirectory {
  /** Counters for metrics and tests: store reads and full hash comparisons. */
  readonly stats = { storeReads: 0, hashComparisons: 0 }

  readonly #store: Store
  readonly #clock: Clock
  readonly #recordTtl: number
  readonly #secretTtl: number
  readonly #max: number
  readonly #compare: (secret: string, hash: string) => Promise<boolean>
  readonly #key = randomBytes(32)
  readonly #records = new Map<string, { record: ClientRecord; expiresAt: number }>()
  readonly #verified = new Map<string, { clientId: string; expiresAt: number }>()
  readonly #pending = new Map<string, Promise<boolean>>()
  /** Bumped by every invalidation; a read that raced a write is not cached. */
  #generation = 0

  constructor(store: Store, clock: Clock, options: DirectoryOptions = {}) {
    this.#store = store
    this.#clock = clock
    this.#recordTtl = options.recordTtl ?? 5_000
    this.#secretTtl = options.secretTtl ?? 60_000
    this.#max = options.maxEntries ?? 10_000
    this.#compare = options.compare ?? compareSecret
  }

  async get(id: string): Promise<ClientRecord | null> {
    const now = this.#clock()
    const hit = this.#records.get(id)
    if (hit && hit.expiresAt > now) return hit.record
    if (hit) this.#records.delete(id)
    const generation = this.#generation
    this.stats.storeReads++
    const row = await this.#store.clients.get(id)
    if (!row) return null
    const record = deepFreeze(recordFromRow(row))
    // A write that invalidated the client while we were reading wins: do not cache what we read.
    if (this.#generation === generation) put(this.#records, id, { record, expiresAt: now + this.#recordTtl }, this.#max)
    return record
  }

  async verifySecret(record: ClientRecord, secret: string): Promise<boolean> {
    if (!secret) return false
    const id = record.client.client_id
    const candidates = [record.secret_hash, ...record.rotated_secrets].filter((h): h is string => !!h)
    const now = this.#clock()
    const keys = candidates.map((hash) => this.#cacheKey(id, hash, secret))
    for (const key of keys) {
      const hit = this.#verified.get(key)
      if (hit && hit.expiresAt > now) return true
      if (hit) this.#verified.delete(key)
    }
    const generation = this.#generation
    for (let i = 0; i < candidates.length; i++) {
      if (await this.#compareOnce(keys[i]!, secret, candidates[i]!)) {
        if (this.#generation === generation) {
          put(this.#verified, keys[i]!, { clientId: id, expiresAt: this.#clock() + this.#secretTtl }, this.#max)
        }
        return true
      }
    }
    return false
  }

  invalidate(id: string): void {
    this.#records.delete(id)
    for (const [key, entry] of this.#verified) if (entry.clientId === id) this.#verified.delete(key)
    this.#generation++
  }

  #cacheKey(id: string, hash: string, secret: string): string {
    // Length-prefixed parts, fed to the MAC in one call.
    const input = `${Buffer.byteLength(id)}:${id}${Buffer.byteLength(hash)}:${hash}${Buffer.byteLength(secret)}:${secret}`
    return createHmac('sha256', this.#key).update(input).digest('base64url')
  }

  // Concurrent checks of the same (client, hash, secret) share one hash computation.
  #compareOnce(key: string, secret: string, hash: string): Promise<boolean> {
    const inflight = this.#pending.get(key)
    if (inflight) return inflight
    this.stats.hashComparisons++
    const p = this.#compare(secret, hash).finally(() => this.#pending.delete(key))
    this.#pending.set(key, p)
    return p
  }
}

function put<V>(map: Map<string, V>, key: string, value: V, max: number) {
  map.delete(key)
  if (map.size >= max) map.delete(map.keys().next().value!)
  map.set(key, value)
}
