import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import {
  deleteRegistration,
  readRegistration,
  registerClient,
  requireRegistration,
  updateRegistration,
} from '../../oidc/registration/registration.ts'
import { bearerToken } from '../../oidc/userinfo.ts'
import { json, readJson } from '../body.ts'
import { NO_STORE } from './token.ts'

/** The registration access token of an RFC 7592 request: a Bearer token in the Authorization header (RFC 6750 §2.1). */
const tokenOf = (request: Request) =>
  bearerToken({
    authorization: request.headers.get('authorization'),
    tokenInQuery: new URL(request.url).searchParams.has('access_token'),
    tokenInBody: false,
  })

/** Elysia yields null for a path segment whose percent-encoding is broken: no client has that id. */
const idOf = (params: { id: string | null }) => params.id ?? ''

/**
 * Dynamic client registration (RFC 7591, OIDC Registration 1.0) and client configuration (RFC 7592) at
 * Hydra's paths. Answers carry the client's secret or registration access token, so none is cached.
 */
export const registerRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'public-register' })
    .post('/oauth2/register', async ({ request }) => {
      requireRegistration(ctx)
      return json(await registerClient(ctx, await readJson(request)), 201, NO_STORE)
    })
    .get('/oauth2/register/:id', async ({ params, request }) => {
      requireRegistration(ctx)
      return json(await readRegistration(ctx, idOf(params), tokenOf(request)), 200, NO_STORE)
    })
    .put('/oauth2/register/:id', async ({ params, request }) => {
      requireRegistration(ctx)
      return json(await updateRegistration(ctx, idOf(params), tokenOf(request), () => readJson(request)), 200, NO_STORE)
    })
    .delete('/oauth2/register/:id', async ({ params, request }) => {
      requireRegistration(ctx)
      await deleteRegistration(ctx, idOf(params), tokenOf(request))
      return new Response(null, { status: 204 })
    })
