import { CachedClientDirectory } from './clients/directory.ts'
import type { Config } from './config/schema.ts'
import { Sealer } from './crypto/aead.ts'
import { flowApps } from './flow/apps.ts'
import type { FlowContext } from './flow/context.ts'
import { StoreKeyManager } from './keys/manager.ts'
import { silentLogger, type Logger } from './log.ts'
import { BUILT_IN_GRANTS, GrantRegistry } from './oauth2/grants/index.ts'
import { JwksCache } from './oauth2/jwks_cache.ts'
import { buildDiscoveryDocument, DISCOVERY_CONTRIBUTIONS, type ProviderMetadata } from './oidc/discovery.ts'
import { mintIdToken } from './oidc/id_token.ts'
import { BackchannelLogout, type BackchannelOptions } from './oidc/logout/backchannel.ts'
import { consentPoliciesOf } from './plugins/consent_policies.ts'
import { NO_PLUGINS, type PluginRuntime } from './plugins/registry.ts'
import { tokenHooksOf } from './plugins/token_hooks.ts'
import type { CoreContext } from './protocol/context.ts'
import { noPeers, type Peers } from './protocol/services.ts'
import type { Store } from './store/types.ts'
import { systemClock, type Clock } from './util/clock.ts'
import { VERSION } from './version.ts'

/** What an app is made of before anything is built. */
export interface CoreDeps {
  config: Config
  store: Store
  clock?: Clock
  logger?: Logger
  /** The other worker threads (`serve.workers`); none by default. */
  peers?: Peers
}

/** Every service of one app, each built once by createContext; route modules take it, features a slice of it. */
export interface AppContext extends FlowContext {
  /** The discovery document (OIDC Discovery 1.0, RFC 8414), built from what is implemented and registered. */
  readonly discovery: ProviderMetadata
  /** Seals cookie values with `secrets.cookie` (else `secrets.system`), so they cannot be forged. */
  readonly cookieSealer: Sealer
  /** What the configured plugins registered. */
  readonly plugins: PluginRuntime
}

const trimSlash = (s: string) => s.replace(/\/+$/, '')

/** The core services (configuration, store, identity, clients, keys); plugins are set up against them. */
export function createCore(deps: CoreDeps): CoreContext {
  const { config, store } = deps
  const clock = deps.clock ?? systemClock
  const logger = deps.logger ?? silentLogger
  const sealer = new Sealer(config.secrets.system)
  const issuer = config.urls.self.issuer || `http://localhost:${config.serve.public.port}`
  return {
    config,
    store,
    clock,
    logger,
    sealer,
    version: VERSION,
    issuer,
    publicUrl: trimSlash(config.urls.self.public || issuer),
    adminUrl: trimSlash(config.urls.self.admin || `http://localhost:${config.serve.admin.port}`),
    clients: new CachedClientDirectory(store, clock),
    keys: new StoreKeyManager({ store, sealer, clock, logger, config }),
    peers: deps.peers ?? noPeers,
  }
}

export interface ContextDeps {
  /** The core services (createCore); the plugins were set up against them. */
  core: CoreContext
  /** What loadPlugins returned; no plugins by default. */
  plugins?: PluginRuntime
  /** Back-channel logout delivery (fetch, scheduler, retries); defaults to global fetch and timers. */
  backchannel?: BackchannelOptions
}

/** Builds every service of an app once, from its core services and its plugins. */
export function createContext(deps: ContextDeps): AppContext {
  const { core } = deps
  const { config } = core
  const plugins = deps.plugins ?? NO_PLUGINS
  const grants = new GrantRegistry([...BUILT_IN_GRANTS, ...plugins.grants])
  return {
    ...core,
    grants,
    tokenHooks: tokenHooksOf(core, plugins),
    jwksCache: new JwksCache(core.clock, { outbound: config.clients.http }),
    idTokens: { sign: (input) => mintIdToken(core, input) },
    backchannel: new BackchannelLogout(deps.backchannel),
    consentPolicies: consentPoliciesOf(core, plugins),
    apps: flowApps(config, core.publicUrl),
    discovery: buildDiscoveryDocument({ ...core, grants }, DISCOVERY_CONTRIBUTIONS),
    cookieSealer: config.secrets.cookie.length ? new Sealer(config.secrets.cookie) : core.sealer,
    plugins,
  }
}
