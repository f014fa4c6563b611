import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { endSession } from '../../oidc/logout/end_session.ts'
import type { LogoutOutcome } from '../../oidc/logout/state.ts'
import { readForm } from '../body.ts'
import { parseParams, type Params } from '../../protocol/params.ts'
import { HttpBrowser } from '../cookies.ts'
import { htmlResponse, redirectResponse } from '../security_headers.ts'
import { errorPageResponse } from './fallbacks.ts'

function render(outcome: LogoutOutcome, setCookies: readonly string[]): Response {
  switch (outcome.kind) {
    case 'redirect':
      return redirectResponse(outcome.location, setCookies)
    case 'page':
      // The page frames the clients' logout URIs, and is itself never framed (frame-ancestors 'none').
      const policy = { scriptHashes: outcome.scriptHashes, frameSrc: outcome.frameSrc ?? [] }
      return htmlResponse(outcome.html, outcome.status, policy, setCookies)
    case 'error_page':
      return errorPageResponse(outcome.error, setCookies)
  }
}

/** `GET|POST /oauth2/sessions/logout`: OIDC RP-Initiated Logout 1.0 §2 (both methods), and the return with a logout verifier. */
export const logoutRoutes = (ctx: AppContext) => {
  const handle = async (request: Request, readParams: () => Promise<Params>) => {
    const browser = new HttpBrowser(ctx, request)
    return render(await endSession(ctx, readParams, browser), browser.setCookies)
  }
  return new Elysia({ name: 'public-logout' })
    .get('/oauth2/sessions/logout', ({ request }) => handle(request, async () => parseParams(new URL(request.url).searchParams)))
    .post('/oauth2/sessions/logout', ({ request }) => handle(request, () => readForm(request)))
}
