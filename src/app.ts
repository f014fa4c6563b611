import { noPeers, type Peers } from './cluster/peers.ts'
import type { Config } from './config/schema.ts'
import type { AppContext } from './context.ts'
import { CachedClientDirectory } from './clients/directory.ts'
import { Sealer } from './crypto/aead.ts'
import { StoreKeyManager } from './keys/manager.ts'
import { healthRoutes } from './http/health.ts'
import { rootApp, shell, type HttpApp } from './http/app_shell.ts'
import { versionRoutes } from './http/admin/version.ts'
import { keysRoutes } from './http/admin/keys.ts'
import { clientsRoutes } from './http/admin/clients.ts'
import { jwksRoutes } from './http/public/jwks.ts'
import { tokenRoutes } from './http/public/token.ts'
import { revokeRoutes } from './http/public/revoke.ts'
import { discoveryRoutes } from './http/public/discovery.ts'
import { userinfoRoutes } from './http/public/userinfo.ts'
import { introspectRoutes } from './http/admin/introspect.ts'
import { tokensRoutes } from './http/admin/tokens.ts'
import { authorizeRoutes } from './http/public/authorize.ts'
import { fallbacksRoutes } from './http/public/fallbacks.ts'
import { devPagesRoutes } from './http/public/dev_pages.ts'
import { flowsRoutes } from './http/admin/flows.ts'
import { logoutAdminRoutes } from './http/admin/logout.ts'
import { sessionsRoutes } from './http/admin/sessions.ts'
import { logoutRoutes } from './http/public/logout.ts'
import { BackchannelLogout, type BackchannelOptions } from './oidc/logout/backchannel.ts'
import { silentLogger, type Logger } from './log.ts'
import type { Store } from './store/types.ts'
import { systemClock, type Clock } from './util/clock.ts'
import { VERSION } from './version.ts'

export interface AppDeps {
  config: Config
  store: Store
  clock?: Clock
  logger?: Logger
  /** Back-channel logout delivery (fetch, scheduler, retries); defaults to global fetch and timers. */
  backchannel?: BackchannelOptions
  /** The other worker threads (`serve.workers`); none by default. */
  peers?: Peers
}

export interface Apps {
  publicApp: HttpApp
  adminApp: HttpApp
  ctx: AppContext
}

const trimSlash = (s: string) => s.replace(/\/+$/, '')

function createContext(deps: AppDeps): AppContext {
  const { config } = deps
  const issuer = config.urls.self.issuer || `http://localhost:${config.serve.public.port}`
  const sealer = new Sealer(config.secrets.system)
  const clock = deps.clock ?? systemClock
  const logger = deps.logger ?? silentLogger
  return {
    config,
    store: deps.store,
    clock: deps.clock ?? systemClock,
    logger: deps.logger ?? silentLogger,
    sealer,
    version: VERSION,
    issuer,
    publicUrl: trimSlash(config.urls.self.public || issuer),
    adminUrl: trimSlash(config.urls.self.admin || `http://localhost:${config.serve.admin.port}`),
    clients: new CachedClientDirectory(deps.store, deps.clock ?? systemClock),
    keys: new StoreKeyManager({ store: deps.store, sealer, clock, logger, config }),
    backchannel: new BackchannelLogout(deps.backchannel),
    peers: deps.peers ?? noPeers,
  }
}

/** Builds the public and admin APIs without listening; tests call `.handle(new Request(…))`. */
export function buildApp(deps: AppDeps): Apps {
  const ctx = createContext(deps)
  const publicElysia = rootApp(ctx, 'public').use(healthRoutes(ctx)).use(jwksRoutes(ctx)).use(tokenRoutes(ctx)).use(revokeRoutes(ctx)).use(discoveryRoutes(ctx)).use(userinfoRoutes(ctx)).use(authorizeRoutes(ctx)).use(fallbacksRoutes(ctx)).use(devPagesRoutes(ctx)).use(logoutRoutes(ctx))
  const adminElysia = rootApp(ctx, 'admin').use(healthRoutes(ctx, '/admin')).use(versionRoutes(ctx)).use(keysRoutes(ctx)).use(clientsRoutes(ctx)).use(introspectRoutes(ctx)).use(tokensRoutes(ctx)).use(flowsRoutes(ctx)).use(logoutAdminRoutes(ctx)).use(sessionsRoutes(ctx))
  return {
    ctx,
    publicApp: shell(ctx, 'public', publicElysia, {
      disableHealthLog: ctx.config.serve.public.request_log.disable_for_health,
    }),
    adminApp: shell(ctx, 'admin', adminElysia, {
      adminPrefix: true,
      disableHealthLog: ctx.config.serve.admin.request_log.disable_for_health,
    }),
  }
}
