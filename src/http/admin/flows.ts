import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { acceptConsentRequest, getConsentRequest, rejectConsentRequest } from '../../flow/consent_request.ts'
import type { AdminResult } from '../../flow/handled.ts'
import { acceptLoginRequest, getLoginRequest, rejectLoginRequest } from '../../flow/login_request.ts'
import { InvalidRequest } from '../../protocol/errors.ts'
import { json, readJson } from '../body.ts'
import { parseParams } from '../../protocol/params.ts'

/** The challenge of an admin request: `<kind>_challenge`, or Hydra's generic alias `challenge`. */
export function challengeOf(request: Request, name: string): string {
  const query = parseParams(new URL(request.url).searchParams)
  const challenge = query.get(name) || query.get('challenge')
  if (!challenge) throw InvalidRequest.with({ hint: "Query parameter 'challenge' is not defined but should have been." })
  return challenge
}

const reply = (result: AdminResult) => json(result.body, result.status)

const LOGIN = '/admin/oauth2/auth/requests/login'
const CONSENT = '/admin/oauth2/auth/requests/consent'

/** Hydra's login and consent admin API: get, accept and reject a challenge. */
export const flowsRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'admin-flows' })
    .get(LOGIN, async ({ request }) => reply(await getLoginRequest(ctx, challengeOf(request, 'login_challenge'))))
    .put(`${LOGIN}/accept`, async ({ request }) =>
      reply(await acceptLoginRequest(ctx, challengeOf(request, 'login_challenge'), await readJson(request))),
    )
    .put(`${LOGIN}/reject`, async ({ request }) =>
      reply(await rejectLoginRequest(ctx, challengeOf(request, 'login_challenge'), await readJson(request))),
    )
    .get(CONSENT, async ({ request }) => reply(await getConsentRequest(ctx, challengeOf(request, 'consent_challenge'))))
    .put(`${CONSENT}/accept`, async ({ request }) =>
      reply(await acceptConsentRequest(ctx, challengeOf(request, 'consent_challenge'), await readJson(request))),
    )
    .put(`${CONSENT}/reject`, async ({ request }) =>
      reply(await rejectConsentRequest(ctx, challengeOf(request, 'consent_challenge'), await readJson(request))),
    )
