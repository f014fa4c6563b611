import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { acceptRequest, getRequest, rejectRequest, type AdminResult, type ChallengeKind, type ChallengeState } from '../../flow/challenge.ts'
import { CHALLENGE_KINDS } from '../../flow/challenge_kinds.ts'
import { InvalidRequest } from '../../protocol/errors.ts'
import { parseParams } from '../../protocol/params.ts'
import { json, readJson } from '../body.ts'

/** The challenge of an admin request: `<kind>_challenge`, or Hydra's generic alias `challenge`. */
export function challengeOf(request: Request, name: string): string {
  const query = parseParams(new URL(request.url).searchParams)
  const challenge = query.get(name) || query.get('challenge')
  if (!challenge) throw InvalidRequest.with({ hint: "Query parameter 'challenge' is not defined but should have been." })
  return challenge
}

const reply = (result: AdminResult) => (result.status === 204 ? new Response(null, { status: 204 }) : json(result.body, result.status))

function challengeRoutes(app: Elysia, ctx: AppContext, kind: ChallengeKind<ChallengeState, unknown>): void {
  const path = `/admin/oauth2/auth/requests/${kind.name}`
  const param = `${kind.name}_challenge`
  const body = async (request: Request) => (kind.body ? await readJson(request) : undefined)
  if (kind.describe) app.get(path, async ({ request }) => reply(await getRequest(ctx, kind, challengeOf(request, param))))
  app.put(`${path}/accept`, async ({ request }) => {
    const challenge = challengeOf(request, param)
    return reply(await acceptRequest(ctx, kind, challenge, await body(request)))
  })
  if (kind.reject) {
    app.put(`${path}/reject`, async ({ request }) => {
      const challenge = challengeOf(request, param)
      return reply(await rejectRequest(ctx, kind, challenge, await body(request)))
    })
  }
}

/** Hydra's login, consent, logout and device admin API: get, accept and reject a challenge of each kind that has them. */
export const flowsRoutes = (ctx: AppContext) => {
  const app = new Elysia({ name: 'admin-flows' })
  for (const kind of CHALLENGE_KINDS) challengeRoutes(app, ctx, kind)
  return app
}
