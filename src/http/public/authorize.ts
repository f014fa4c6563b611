import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { authorizationEndpoint } from '../../oauth2/authorize.ts'
import type { AuthorizeOutcome } from '../../oauth2/response_modes/index.ts'
import { readForm } from '../body.ts'
import { parseParams, type Params } from '../../protocol/params.ts'
import { HttpBrowser } from '../cookies.ts'
import { htmlResponse, redirectResponse } from '../security_headers.ts'
import { errorPageResponse } from './fallbacks.ts'

function render(outcome: AuthorizeOutcome, setCookies: readonly string[]): Response {
  switch (outcome.kind) {
    case 'redirect':
      return redirectResponse(outcome.location, setCookies)
    case 'page':
      return htmlResponse(outcome.html, outcome.status, { scriptHashes: outcome.scriptHashes }, setCookies)
    case 'error_page':
      return errorPageResponse(outcome.error, setCookies)
  }
}

/** `GET|POST /oauth2/auth` (RFC 6749 §3.1; OIDC Core §3.1.2.1 allows both), also the return trips with verifiers. */
export const authorizeRoutes = (ctx: AppContext) => {
  const handle = async (request: Request, readParams: () => Promise<Params>) => {
    const browser = new HttpBrowser(ctx, request)
    return render(await authorizationEndpoint(ctx, { readParams, browser }), browser.setCookies)
  }
  return new Elysia({ name: 'public-authorize' })
    .get('/oauth2/auth', ({ request }) => handle(request, async () => parseParams(new URL(request.url).searchParams)))
    .post('/oauth2/auth', ({ request }) => handle(request, () => readForm(request)))
}
