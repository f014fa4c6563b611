import type { Peers } from './cluster/peers.ts'
import type { Config } from './config/schema.ts'
import type { Sealer } from './crypto/aead.ts'
import type { ClientDirectory, KeyManager } from './services.ts'
import type { Logger } from './log.ts'
import type { BackchannelLogout } from './oidc/logout/backchannel.ts'
import type { Store } from './store/types.ts'
import type { Clock } from './util/clock.ts'

/** What every route module and protocol service is built from. */
export interface AppContext {
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
  /** OIDC Back-Channel Logout: notifies the clients of ended login sessions in the background. */
  readonly backchannel: BackchannelLogout
  /** The other worker threads of this server, told when a cached client or key set changes. */
  readonly peers: Peers
}
