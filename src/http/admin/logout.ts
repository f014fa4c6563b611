import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import type { AdminResult } from '../../flow/handled.ts'
import { acceptLogoutRequest, getLogoutRequest, rejectLogoutRequest } from '../../flow/logout_request.ts'
import { json } from '../body.ts'
import { challengeOf } from './flows.ts'

const reply = (result: AdminResult) => (result.status === 204 ? new Response(null, { status: 204 }) : json(result.body, result.status))

const LOGOUT = '/admin/oauth2/auth/requests/logout'

/** Hydra's logout admin API: get, accept and reject a logout challenge. */
export const logoutAdminRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'admin-logout' })
    .get(LOGOUT, async ({ request }) => reply(await getLogoutRequest(ctx, challengeOf(request, 'logout_challenge'))))
    .put(`${LOGOUT}/accept`, async ({ request }) => reply(await acceptLogoutRequest(ctx, challengeOf(request, 'logout_challenge'))))
    .put(`${LOGOUT}/reject`, async ({ request }) => reply(await rejectLogoutRequest(ctx, challengeOf(request, 'logout_challenge'))))
