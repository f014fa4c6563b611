import type { OAuth2Client } from '../protocol/client.ts'
import type { AppContext } from '../context.ts'
import { acceptRequest, getRequest, rejectRequest } from '../flow/challenge.ts'
import { LOGOUT } from '../flow/logout_request.ts'
import { BUILTIN_PAGE_PATHS, builtinPageActive } from '../flow/apps.ts'
import { follow, forged, guarded, html, inactive } from './outcome.ts'
import { clientLabel, h, hidden, page } from './page.ts'
import { pageToken, pageTokenValid } from './page_token.ts'
import type { Outcome } from '../protocol/outcome.ts'

type Form = ReadonlyMap<string, string>

/** The parts of Hydra's oAuth2LogoutRequest the page uses. */
interface LogoutRequestView {
  subject: string
  client: OAuth2Client | null
}

function confirmForm(ctx: AppContext, challenge: string, r: LogoutRequestView): string {
  const asking = r.client ? `<p><strong>${h(clientLabel(r.client))}</strong> asks to sign you out.</p>` : ''
  const body =
    '<h1>Sign out?</h1>' +
    `<p>You are signed in as <strong>${h(r.subject)}</strong>.</p>` +
    asking +
    `<form method="post" action="${h(ctx.publicUrl + BUILTIN_PAGE_PATHS.logout)}">` +
    hidden({ logout_challenge: challenge, csrf_token: pageToken(ctx.sealer, 'logout', challenge) }) +
    '<div class="actions"><button type="submit" name="action" value="accept">Yes, sign me out</button>' +
    '<button class="secondary" type="submit" name="action" value="reject">No, stay signed in</button></div>' +
    '</form>'
  return page('Sign out', body)
}

const stayed = () => page('Still signed in', '<h1>You are still signed in</h1><p>Nothing was changed; you may close this page.</p>')

/** `GET /oauth2/fallbacks/logout?logout_challenge=`: asks to confirm, unless the client has skip_logout_consent. */
export function showLogout(ctx: AppContext, challenge: string): Promise<Outcome> {
  if (!builtinPageActive(ctx.config, 'logout')) return Promise.resolve(inactive('logout'))
  return guarded(async () => {
    const result = await getRequest(ctx, LOGOUT, challenge)
    if (result.status !== 200) return follow(result)
    const r = result.body as LogoutRequestView
    if (r.client?.skip_logout_consent) return follow(await acceptRequest(ctx, LOGOUT, challenge))
    return html(200, confirmForm(ctx, challenge, r))
  })
}

/** `POST /oauth2/fallbacks/logout`: yes ends the session (accept), no leaves it (reject). */
export function submitLogout(ctx: AppContext, form: Form): Promise<Outcome> {
  if (!builtinPageActive(ctx.config, 'logout')) return Promise.resolve(inactive('logout'))
  const challenge = form.get('logout_challenge') ?? ''
  if (!pageTokenValid(ctx.sealer, 'logout', challenge, form.get('csrf_token'))) return Promise.resolve(forged())
  return guarded(async () => {
    if (form.get('action') !== 'reject') return follow(await acceptRequest(ctx, LOGOUT, challenge))
    const result = await rejectRequest(ctx, LOGOUT, challenge)
    return result.status === 204 ? html(200, stayed()) : follow(result)
  })
}
