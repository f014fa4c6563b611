import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { endSession } from '../../flow/end_session.ts'
import { readForm } from '../body.ts'
import { parseParams, type Params } from '../../protocol/params.ts'
import { HttpBrowser } from '../cookies.ts'
import { renderOutcome } from '../outcome.ts'

/** `GET|POST /oauth2/sessions/logout`: OIDC RP-Initiated Logout 1.0 §2 (both methods), and the return with a logout verifier. */
export const logoutRoutes = (ctx: AppContext) => {
  const handle = async (request: Request, readParams: () => Promise<Params>) => {
    const browser = new HttpBrowser(ctx, request)
    return renderOutcome(await endSession(ctx, readParams, browser), browser.setCookies)
  }
  return new Elysia({ name: 'public-logout' })
    .get('/oauth2/sessions/logout', ({ request }) => handle(request, async () => parseParams(new URL(request.url).searchParams)))
    .post('/oauth2/sessions/logout', ({ request }) => handle(request, () => readForm(request)))
}
