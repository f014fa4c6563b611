import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose'
import type { Clock } from '../util/clock.ts'
import { assertOutboundAllowed, readLimited, type OutboundPolicy } from '../util/outbound_guard.ts'
import { InvalidClient, OAuthError } from '../protocol/errors.ts'
import { isRecord } from '../protocol/json.ts'

export interface JwksCacheOptions {
  /** How long a fetched set is used before it is fetched again (ms). Default 5 minutes. */
  ttlMs?: number
  /** A key id missing from a cached set triggers a refetch at most this often per URI (ms). Default 30 s. */
  refetchIntervalMs?: number
  /** Time limit of one fetch, body included (ms). Default 5 s. */
  timeoutMs?: number
  /** Largest accepted response body (bytes). Default 256 KiB. */
  maxBytes?: number
  /** Most URIs kept; the oldest is dropped beyond it. Default 1000. */
  maxEntries?: number
  /** `clients.http`: refuse private addresses. Default: allow everything. */
  outbound?: OutboundPolicy
}

interface Entry {
  fetchedAt: number
  getKey: JWTVerifyGetKey
}

const unavailable = (debug: string) =>
  InvalidClient.with({ hint: 'The JSON Web Key Set of the client could not be fetched from its jwks_uri.', debug })

/**
 * Remote JSON Web Key Sets of clients (`jwks_uri`), fetched with a time and size limit and kept in memory
 * for a TTL. Concurrent loads of one URI share a fetch; an unknown `kid` refetches at most once per interval.
 */
export class JwksCache {
  readonly #clock: Clock
  readonly #ttl: number
  readonly #refetch: number
  readonly #timeout: number
  readonly #maxBytes: number
  readonly #max: number
  readonly #outbound: OutboundPolicy | undefined
  readonly #entries = new Map<string, Entry>()
  readonly #inflight = new Map<string, Promise<Entry>>()

  constructor(clock: Clock, options: JwksCacheOptions = {}) {
    this.#clock = clock
    this.#ttl = options.ttlMs ?? 300_000
    this.#refetch = options.refetchIntervalMs ?? 30_000
    this.#timeout = options.timeoutMs ?? 5_000
    this.#maxBytes = options.maxBytes ?? 256 * 1024
    this.#max = options.maxEntries ?? 1_000
    this.#outbound = options.outbound
  }

  /** A key resolver for jose's `jwtVerify` over the set published at `uri`. */
  resolver(uri: string): JWTVerifyGetKey {
    return async (header, token) => {
      const entry = await this.#current(uri)
      try {
        return await entry.getKey(header, token)
      } catch (err) {
        if (!(err instanceof joseErrors.JWKSNoMatchingKey) || this.#clock() - entry.fetchedAt < this.#refetch) throw err
        // The client may have rotated its keys since the set was cached.
        return (await this.#load(uri)).getKey(header, token)
      }
    }
  }

  /** Forgets a cached set (e.g. when a client's jwks_uri changes). */
  invalidate(uri: string): void {
    this.#entries.delete(uri)
  }

  #current(uri: string): Promise<Entry> {
    const hit = this.#entries.get(uri)
    if (hit && this.#clock() - hit.fetchedAt < this.#ttl) return Promise.resolve(hit)
    return this.#load(uri)
  }

  #load(uri: string): Promise<Entry> {
    const pending = this.#inflight.get(uri)
    if (pending) return pending
    const p = this.#fetchSet(uri)
      .then((jwks) => {
        const entry = { fetchedAt: this.#clock(), getKey: createLocalJWKSet(jwks) }
        this.#entries.delete(uri)
        if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!)
        this.#entries.set(uri, entry)
        return entry
      })
      .finally(() => this.#inflight.delete(uri))
    this.#inflight.set(uri, p)
    return p
  }

  async #fetchSet(uri: string): Promise<JSONWebKeySet> {
    let url: URL
    try {
      url = new URL(uri)
    } catch {
      throw unavailable('jwks_uri is not a URL')
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw unavailable('jwks_uri is not an http(s) URL')
    const signal = AbortSignal.timeout(this.#timeout)
    let body: string
    try {
      if (this.#outbound) await assertOutboundAllowed(this.#outbound, url.href)
      const res = await fetch(url.href, { signal, headers: { accept: 'application/jwk-set+json, application/json' } })
      if (res.status !== 200) {
        await res.body?.cancel()
        throw unavailable(`jwks_uri answered ${res.status}`)
      }
      body = await readLimited(res, this.#maxBytes, () => unavailable('jwks_uri response is too large'))
    } catch (err) {
      if (err instanceof OAuthError) throw err
      throw unavailable(signal.aborted ? 'jwks_uri timed out' : `jwks_uri fetch failed: ${(err as Error).message}`)
    }
    let set: unknown
    try {
      set = JSON.parse(body)
    } catch {
      throw unavailable('jwks_uri did not return JSON')
    }
    const keys = (set as { keys?: unknown } | null)?.keys
    if (!Array.isArray(keys) || !keys.every(isRecord)) {
      throw unavailable('jwks_uri did not return a JSON Web Key Set')
    }
    return { keys } as JSONWebKeySet
  }
}
