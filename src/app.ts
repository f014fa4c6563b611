import { createContext, type AppContext, type ContextDeps } from './context.ts'
import { versionRoutes } from './http/admin/version.ts'
import { healthRoutes } from './http/health.ts'
import { rootApp, shell, type HttpApp } from './http/app_shell.ts'
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
import { sessionsRoutes } from './http/admin/sessions.ts'
import { logoutRoutes } from './http/public/logout.ts'
import { credentialsRoutes } from './http/public/credentials.ts'
import { registerRoutes } from './http/public/register.ts'
import { trustRoutes } from './http/admin/trust.ts'
import { deviceRoutes } from './http/public/device.ts'

export type AppDeps = ContextDeps

export interface Apps {
  publicApp: HttpApp
  adminApp: HttpApp
  ctx: AppContext
}

/** Builds the public and admin APIs without listening; tests call `.handle(new Request(…))`. */
export function buildApp(deps: AppDeps): Apps {
  const ctx = createContext(deps)
  const publicElysia = rootApp(ctx, 'public')
    .use(healthRoutes(ctx))
    .use(jwksRoutes(ctx))
    .use(tokenRoutes(ctx))
    .use(revokeRoutes(ctx))
    .use(discoveryRoutes(ctx))
    .use(userinfoRoutes(ctx))
    .use(credentialsRoutes(ctx))
    .use(authorizeRoutes(ctx))
    .use(fallbacksRoutes(ctx))
    .use(devPagesRoutes(ctx))
    .use(logoutRoutes(ctx))
    .use(registerRoutes(ctx))
    .use(deviceRoutes(ctx))
  const adminElysia = rootApp(ctx, 'admin')
    .use(healthRoutes(ctx, '/admin'))
    .use(versionRoutes(ctx))
    .use(keysRoutes(ctx))
    .use(clientsRoutes(ctx))
    .use(introspectRoutes(ctx))
    .use(tokensRoutes(ctx))
    .use(flowsRoutes(ctx))
    .use(sessionsRoutes(ctx))
    .use(trustRoutes(ctx))
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
