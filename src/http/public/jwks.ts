import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { json } from '../body.ts'

/** Relying parties may cache the set for a minute. */
export const JWKS_CACHE_CONTROL = 'public, max-age=60'

/** `/.well-known/jwks.json`: the public keys of every broadcast set (RFC 7517 §5), never private parts. */
export const jwksRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'public-jwks' }).get('/.well-known/jwks.json', async () =>
    json(await ctx.keys.publicJwks(), 200, { 'cache-control': JWKS_CACHE_CONTROL }),
  )
