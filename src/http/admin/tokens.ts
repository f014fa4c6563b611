import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { InvalidRequest } from '../../protocol/errors.ts'
import { deleteClientAccessTokens } from '../../oauth2/revoke.ts'
import { parseParams } from '../../protocol/params.ts'

/** `DELETE /admin/oauth2/tokens?client_id=`: deletes every access token issued to a client (204). */
export const tokensRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'admin-tokens' }).delete('/admin/oauth2/tokens', async ({ request }) => {
    const clientId = parseParams(new URL(request.url).searchParams).get('client_id')
    if (!clientId) throw InvalidRequest.with({ hint: 'The query parameter "client_id" is required.' })
    await deleteClientAccessTokens(ctx, clientId)
    return new Response(null, { status: 204 })
  })
