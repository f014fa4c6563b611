import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { bearerToken, userinfo } from '../../oidc/userinfo.ts'
import { json, readForm } from '../body.ts'
import { NO_STORE } from './token.ts'

const isForm = (request: Request) =>
  (request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')

/** `GET` and `POST /userinfo` (OIDC Core §5.3): a Bearer access token in the Authorization header only. */
export const userinfoRoutes = (ctx: AppContext) => {
  const handle = async (request: Request) => {
    const tokenInBody = request.method === 'POST' && isForm(request) && (await readForm(request)).has('access_token')
    const token = bearerToken({
      authorization: request.headers.get('authorization'),
      tokenInQuery: new URL(request.url).searchParams.has('access_token'),
      tokenInBody,
    })
    const answer = await userinfo(ctx, token)
    if (answer.type === 'json') return json(answer.claims, 200, NO_STORE)
    return new Response(answer.jwt, { status: 200, headers: { 'content-type': 'application/jwt', ...NO_STORE } })
  }
  return new Elysia({ name: 'public-userinfo' })
    .get('/userinfo', ({ request }) => handle(request))
    .post('/userinfo', ({ request }) => handle(request))
}
