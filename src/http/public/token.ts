import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { tokenEndpoint } from '../../oauth2/token.ts'
import { json, readForm } from '../body.ts'

/** RFC 6749 §5.1: token responses MUST NOT be cached. */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' }

/** `POST /oauth2/token` (RFC 6749 §3.2), every grant of the grant registry. */
export const tokenRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'public-token' }).post('/oauth2/token', async ({ request }) => {
    const params = await readForm(request)
    const body = await tokenEndpoint(ctx, { params, authorization: request.headers.get('authorization') })
    return json(body, 200, NO_STORE)
  })
