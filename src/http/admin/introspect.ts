import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { InvalidRequest } from '../../protocol/errors.ts'
import { introspectToken } from '../../oauth2/introspect.ts'
import { json, readForm } from '../body.ts'

/** `POST /admin/oauth2/introspect` (RFC 7662). Like Hydra, the admin API asks for no client authentication. */
export const introspectRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'admin-introspect' }).post('/admin/oauth2/introspect', async ({ request }) => {
    const params = await readForm(request)
    const token = params.get('token')
    // RFC 7662 §2.1: token is REQUIRED.
    if (!token) throw InvalidRequest.with({ hint: 'The request is missing the "token" parameter.' })
    const result = await introspectToken(ctx, token, { scope: params.get('scope'), tokenTypeHint: params.get('token_type_hint') })
    return json(result, 200, { 'cache-control': 'no-store' })
  })
