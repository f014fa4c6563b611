import type { OAuth2Client } from '../protocol/client.ts'
import type { AppContext } from '../context.ts'
import { acceptRequest, getRequest, rejectRequest } from '../flow/challenge.ts'
import { LOGIN } from '../flow/login_request.ts'
import type { OidcContext } from '../flow/state.ts'
import { BUILTIN_PAGE_PATHS, builtinPageActive } from '../flow/apps.ts'
import { follow, forged, guarded, html, inactive } from './outcome.ts'
import { clientLabel, h, hidden, page } from './page.ts'
import { pageToken, pageTokenValid } from './page_token.ts'
import type { Outcome } from '../protocol/outcome.ts'

type Form = ReadonlyMap<string, string>

/** The parts of Hydra's oAuth2LoginRequest the page uses. */
interface LoginRequestView {
  skip: boolean
  subject: string
  client: OAuth2Client
  oidc_context: OidcContext
}

const MAX_NAME = 255

function loginForm(ctx: AppContext, challenge: string, request: LoginRequestView, name: string, problem = ''): string {
  const body =
    '<h1>Sign in</h1>' +
    `<p class="muted">to continue to <strong>${h(clientLabel(request.client))}</strong></p>` +
    (problem ? `<p class="error" role="alert">${h(problem)}</p>` : '') +
    `<form method="post" action="${h(ctx.publicUrl + BUILTIN_PAGE_PATHS.login)}">` +
    hidden({ login_challenge: challenge, csrf_token: pageToken(ctx.sealer, 'login', challenge) }) +
    '<label class="field" for="username">User name</label>' +
    `<input type="text" id="username" name="username" value="${h(name)}" maxlength="${MAX_NAME}" ` +
    'autocomplete="username" autofocus required>' +
    '<p class="muted">Development login: any non-empty name signs in as that subject, without a password.</p>' +
    '<p><label class="check"><input type="checkbox" name="remember" value="1"><span>Remember me</span></label></p>' +
    '<div class="actions"><button type="submit" name="action" value="accept">Sign in</button>' +
    '<button class="secondary" type="submit" name="action" value="reject" formnovalidate>Cancel</button></div>' +
    '</form>'
  return page('Sign in', body)
}

async function loginRequest(ctx: AppContext, challenge: string): Promise<LoginRequestView | Outcome> {
  const result = await getRequest(ctx, LOGIN, challenge)
  return result.status === 200 ? (result.body as LoginRequestView) : follow(result)
}

const isOutcome = (v: LoginRequestView | Outcome): v is Outcome => 'kind' in v

/**
 * `GET /oauth2/fallbacks/login?login_challenge=`: the sign-in form; a remembered session (skip) is accepted at
 * once with its subject, as Hydra's reference login app does.
 */
export function showLogin(ctx: AppContext, challenge: string): Promise<Outcome> {
  if (!builtinPageActive(ctx.config, 'login')) return Promise.resolve(inactive('login'))
  return guarded(async () => {
    const request = await loginRequest(ctx, challenge)
    if (isOutcome(request)) return request
    if (request.skip) return follow(await acceptRequest(ctx, LOGIN, challenge, { subject: request.subject }))
    return html(200, loginForm(ctx, challenge, request, request.oidc_context.login_hint ?? ''))
  })
}

/** `POST /oauth2/fallbacks/login`: signs the named user in (accept) or cancels (reject with access_denied). */
export function submitLogin(ctx: AppContext, form: Form): Promise<Outcome> {
  if (!builtinPageActive(ctx.config, 'login')) return Promise.resolve(inactive('login'))
  const challenge = form.get('login_challenge') ?? ''
  if (!pageTokenValid(ctx.sealer, 'login', challenge, form.get('csrf_token'))) return Promise.resolve(forged())
  return guarded(async () => {
    if (form.get('action') === 'reject') {
      const denial = { error: 'access_denied', error_description: 'The resource owner denied the request.' }
      return follow(await rejectRequest(ctx, LOGIN, challenge, denial))
    }
    const name = (form.get('username') ?? '').trim()
    if (!name || name.length > MAX_NAME) {
      const request = await loginRequest(ctx, challenge)
      if (isOutcome(request)) return request
      const problem = name ? `The user name is longer than ${MAX_NAME} characters.` : 'Enter a user name.'
      return html(400, loginForm(ctx, challenge, request, name.slice(0, MAX_NAME), problem))
    }
    const remember = form.get('remember') === '1'
    return follow(await acceptRequest(ctx, LOGIN, challenge, { subject: name, remember }))
  })
}
