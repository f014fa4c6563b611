import type { Config } from '../config/schema.ts'
import type { Sealer } from '../crypto/aead.ts'
import type { Logger } from '../log.ts'
import type { Store } from '../store/types.ts'
import type { Clock } from '../util/clock.ts'
import type { ClientDirectory, KeyManager, Peers } from './services.ts'

/**
 * What every feature is built on: one app's configuration, store, clock and logger, its sealing secrets, where
 * it is served, and its per-node caches of clients and keys. Each feature extends it with the services it uses
 * (oauth2/context.ts, oidc/context.ts, flow/context.ts); src/context.ts builds them all once.
 */
export interface CoreContext {
  readonly config: Config
  readonly store: Store
  readonly clock: Clock
  readonly logger: Logger
  /** AES-256-GCM with secrets.system: [0] seals, every entry opens. */
  readonly sealer: Sealer
  readonly version: string
  /** The issuer as configured (or derived under --dev). */
  readonly issuer: string
  /** Base URL of the public API, without trailing slash. */
  readonly publicUrl: string
  /** Base URL of the admin API, without trailing slash. */
  readonly adminUrl: string
  /** OAuth 2.0 clients, cached per node; verifies client secrets. */
  readonly clients: ClientDirectory
  /** JSON Web Key sets: signing keys and the published JWKS. */
  readonly keys: KeyManager
  /** The other worker threads of this server, told when a cached client or key set changes. */
  readonly peers: Peers
}
