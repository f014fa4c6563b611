import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { bearerToken } from '../../oidc/userinfo.ts'
import { createVerifiableCredential } from '../../oidc/verifiable_credential.ts'
import { json, readJson } from '../body.ts'
import { NO_STORE } from './token.ts'

/** `POST /credentials` (OpenID4VCI draft 00, Hydra's createVerifiableCredential): a Bearer access token and a JSON body. */
export const credentialsRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'public-credentials' }).post('/credentials', async ({ request }) => {
    const token = bearerToken({
      authorization: request.headers.get('authorization'),
      tokenInQuery: new URL(request.url).searchParams.has('access_token'),
      tokenInBody: false,
    })
    const answer = await createVerifiableCredential(ctx, token, await readJson(request))
    return json(answer.body, answer.type === 'priming' ? 400 : 200, NO_STORE)
  })
