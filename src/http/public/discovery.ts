import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { json } from '../body.ts'

/** The document changes only with a new configuration or release; relying parties may cache it briefly. */
export const DISCOVERY_CACHE_CONTROL = 'public, max-age=300'

/** OIDC Discovery 1.0 §4 and its RFC 8414 §3 alias: one document on both well-known paths. */
export const discoveryRoutes = (ctx: AppContext) => {
  const respond = () => json(ctx.discovery, 200, { 'cache-control': DISCOVERY_CACHE_CONTROL })
  return new Elysia({ name: 'public-discovery' })
    .get('/.well-known/openid-configuration', respond)
    .get('/.well-known/oauth-authorization-server', respond)
}
