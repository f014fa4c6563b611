import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { continueFlow } from '../../flow/flow.ts'
import { authorizationEndpoint } from '../../oauth2/authorize.ts'
import { readForm } from '../body.ts'
import { parseParams, type Params } from '../../protocol/params.ts'
import { HttpBrowser } from '../cookies.ts'
import { renderOutcome } from '../outcome.ts'

/** `GET|POST /oauth2/auth` (RFC 6749 §3.1; OIDC Core §3.1.2.1 allows both), also the return trips with verifiers. */
export const authorizeRoutes = (ctx: AppContext) => {
  const handle = async (request: Request, readParams: () => Promise<Params>) => {
    const browser = new HttpBrowser(ctx, request)
    const outcome = await authorizationEndpoint(ctx, readParams, (r) => continueFlow(ctx, r, browser))
    return renderOutcome(outcome, browser.setCookies)
  }
  return new Elysia({ name: 'public-authorize' })
    .get('/oauth2/auth', ({ request }) => handle(request, async () => parseParams(new URL(request.url).searchParams)))
    .post('/oauth2/auth', ({ request }) => handle(request, () => readForm(request)))
}
