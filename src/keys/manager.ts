import type { JWK } from 'jose'
import type { Config } from '../config/schema.ts'
import type { Sealer } from '../crypto/aead.ts'
import type { Logger } from '../log.ts'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET, type KeyManager, type SigningKey } from '../protocol/services.ts'
import type { KeyRow, Store } from '../store/types.ts'
import type { Clock } from '../util/clock.ts'
import { generateJwk, type GeneratedAlg } from './generate.ts'
import { importKey, isPrivateJwk, publicJwk } from './jwk.ts'
import { openKey, sealKey } from './key_set.ts'

/**
 * How long a node trusts its cached keys without hearing of a change. Changes made through this node's
 * admin API take effect at once; this bounds how long other nodes keep signing with the previous key.
 */
export const KEY_CACHE_TTL_MS = 30_000

export interface KeyManagerDeps {
  store: Store
  sealer: Sealer
  clock: Clock
  logger: Logger
  config: Pick<Config, 'keys' | 'webfinger'>
}

interface Cached<T> {
  value: Promise<T>
  at: number
}

/** KeyManager over the store: keys sealed at rest, per-node caches of the signing keys and the JWKS. */
export class StoreKeyManager implements KeyManager {
  readonly #deps: KeyManagerDeps
  readonly #signing = new Map<string, Cached<SigningKey>>()
  readonly #generating = new Map<string, Promise<void>>()
  #jwks: Cached<{ keys: JWK[] }> | undefined

  constructor(deps: KeyManagerDeps) {
    this.#deps = deps
  }

  /** The sets published at `/.well-known/jwks.json`: both default sets and `webfinger.jwks.broadcast_keys`. */
  get broadcastSets(): string[] {
    return [...new Set([ID_TOKEN_SET, ACCESS_TOKEN_SET, ...this.#deps.config.webfinger.jwks.broadcast_keys])]
  }

  /** The algorithm of a set generated on first use. */
  algorithmFor(setId: string): GeneratedAlg {
    const { algorithms } = this.#deps.config.keys
    return setId === ID_TOKEN_SET ? algorithms.id_token : algorithms.access_token
  }

  signingKey(setId: string): Promise<SigningKey> {
    const cached = this.#signing.get(setId)
    if (cached && this.#fresh(cached)) return cached.value
    const entry: Cached<SigningKey> = { value: this.#loadSigningKey(setId), at: this.#deps.clock() }
    this.#signing.set(setId, entry)
    entry.value.catch(() => {
      if (this.#signing.get(setId) === entry) this.#signing.delete(setId)
    })
    return entry.value
  }

  publicJwks(): Promise<{ keys: JWK[] }> {
    if (this.#jwks && this.#fresh(this.#jwks)) return this.#jwks.value
    const entry: Cached<{ keys: JWK[] }> = { value: this.#loadPublicJwks(), at: this.#deps.clock() }
    this.#jwks = entry
    entry.value.catch(() => {
      if (this.#jwks === entry) this.#jwks = undefined
    })
    return entry.value
  }

  /** Also opens both signing keys, so a start with secrets that cannot decrypt them fails at once. */
  async ensureDefaultSets(): Promise<void> {
    await this.signingKey(ID_TOKEN_SET)
    await this.signingKey(ACCESS_TOKEN_SET)
  }

  invalidate(setId: string): void {
    this.#signing.delete(setId)
    if (this.broadcastSets.includes(setId)) this.#jwks = undefined
  }

  #fresh(entry: Cached<unknown>): boolean {
    const age = this.#deps.clock() - entry.at
    return age >= 0 && age < KEY_CACHE_TTL_MS
  }

  async #loadSigningKey(setId: string): Promise<SigningKey> {
    for (const row of await this.#rowsOf(setId)) {
      const jwk = openKey(this.#deps.sealer, row)
      if (jwk.use === 'sig' && isPrivateJwk(jwk)) return { kid: jwk.kid!, alg: jwk.alg!, key: await importKey(jwk) }
    }
    throw new Error(`key set ${setId} has no private signing key`)
  }

  async #loadPublicJwks(): Promise<{ keys: JWK[] }> {
    const keys: JWK[] = []
    for (const setId of this.broadcastSets) {
      for (const row of await this.#rowsOf(setId)) keys.push(Object.freeze(publicJwk(openKey(this.#deps.sealer, row))))
    }
    return Object.freeze({ keys: Object.freeze(keys) as JWK[] })
  }

  /** The rows of a set, newest first; an empty set is generated once per node, however many ask at once. */
  async #rowsOf(setId: string): Promise<KeyRow[]> {
    const rows = await this.#deps.store.keys.listSet(setId)
    if (rows.length > 0) return rows
    let pending = this.#generating.get(setId)
    if (!pending) {
      pending = this.#generate(setId).finally(() => this.#generating.delete(setId))
      this.#generating.set(setId, pending)
    }
    await pending
    return this.#deps.store.keys.listSet(setId)
  }

  async #generate(setId: string): Promise<void> {
    const { store, sealer, clock, logger, config } = this.#deps
    // Another caller may have generated the set between our read and our turn.
    if ((await store.keys.listSet(setId)).length > 0) return
    const alg = this.algorithmFor(setId)
    const jwk = await generateJwk({ alg, use: 'sig', kid: crypto.randomUUID(), rsaModulusLength: config.keys.rsa_modulus_length })
    await store.keys.add(sealKey(sealer, setId, jwk, clock()))
    logger.info('generated a key set', { set: setId, kid: jwk.kid, alg })
  }
}
