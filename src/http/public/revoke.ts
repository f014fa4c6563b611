import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { authenticateClient } from '../../oauth2/client_auth/index.ts'
import { InvalidRequest } from '../../protocol/errors.ts'
import { revokeToken } from '../../oauth2/revoke.ts'
import { readForm } from '../body.ts'
import { NO_STORE } from './token.ts'

/** `POST /oauth2/revoke` (RFC 7009): client-authenticated; 200 with an empty body whether or not the token was known. */
export const revokeRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'public-revoke' }).post('/oauth2/revoke', async ({ request }) => {
    const params = await readForm(request)
    const audiences = [`${ctx.publicUrl}/oauth2/revoke`, `${ctx.publicUrl}/oauth2/token`, ctx.issuer]
    const client = await authenticateClient(ctx, { params, authorization: request.headers.get('authorization'), audiences }, { required: true })
    const token = params.get('token')
    // RFC 7009 §2.1: token is REQUIRED.
    if (!token) throw InvalidRequest.with({ hint: 'The request is missing the "token" parameter.' })
    await revokeToken(ctx, client, token, params.get('token_type_hint'))
    return new Response(null, { status: 200, headers: NO_STORE })
  })
