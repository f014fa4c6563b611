import type { OAuth2Client } from '../protocol/client.ts'
import type { AppContext } from '../context.ts'
import { acceptRequest, getRequest, rejectRequest } from '../flow/challenge.ts'
import { CONSENT } from '../flow/consent_request.ts'
import { BUILTIN_PAGE_PATHS, builtinPageActive } from '../flow/apps.ts'
import { follow, forged, guarded, html, inactive } from './outcome.ts'
import { checkRow, clientLabel, h, hidden, page } from './page.ts'
import { pageToken, pageTokenValid } from './page_token.ts'
import type { Outcome } from '../protocol/outcome.ts'

type Form = ReadonlyMap<string, string>

/** The parts of Hydra's oAuth2ConsentRequest the page uses. */
interface ConsentRequestView {
  skip: boolean
  subject: string
  client: OAuth2Client
  requested_scope: string[]
  requested_access_token_audience: string[]
}

/** How long a remembered decision lasts, as in Hydra's reference consent app. */
const REMEMBER_FOR_SECONDS = 3600

const SCOPE_NOTES: Record<string, string> = {
  openid: 'Sign you in with OpenID Connect',
  offline: 'Stay signed in (refresh tokens)',
  offline_access: 'Stay signed in (refresh tokens)',
  profile: 'Your basic profile',
  email: 'Your email address',
}

const scopeLabel = (scope: string) => {
  const note = SCOPE_NOTES[scope]
  return `<code>${h(scope)}</code>${note ? ` <span class="muted">${h(note)}</span>` : ''}`
}

// Every box has its own name: form bodies with a repeated parameter are refused (RFC 6749 §3.1).
const boxes = (prefix: string, values: string[], label: (v: string) => string) =>
  `<ul class="checks">${values.map((v, i) => checkRow(`${prefix}.${i}`, v, label(v))).join('')}</ul>`

function consentForm(ctx: AppContext, challenge: string, r: ConsentRequestView): string {
  const name = clientLabel(r.client)
  const idNote = r.client.client_name ? ` <span class="muted">(<code>${h(r.client.client_id)}</code>)</span>` : ''
  const body =
    `<h1>Authorize ${h(name)}</h1>` +
    `<p><strong>${h(name)}</strong>${idNote} asks for access on behalf of <strong>${h(r.subject)}</strong>.</p>` +
    `<form method="post" action="${h(ctx.publicUrl + BUILTIN_PAGE_PATHS.consent)}">` +
    hidden({ consent_challenge: challenge, csrf_token: pageToken(ctx.sealer, 'consent', challenge) }) +
    '<h2>Requested scopes</h2>' +
    (r.requested_scope.length ? boxes('grant_scope', r.requested_scope, scopeLabel) : '<p class="muted">No scopes.</p>') +
    (r.requested_access_token_audience.length
      ? '<h2>Requested audience</h2>' + boxes('grant_audience', r.requested_access_token_audience, (a) => `<code>${h(a)}</code>`)
      : '') +
    '<p><label class="check"><input type="checkbox" name="remember" value="1"><span>Remember this decision</span></label></p>' +
    '<div class="actions"><button type="submit" name="action" value="allow">Allow</button>' +
    '<button class="secondary" type="submit" name="action" value="deny">Deny</button></div>' +
    '</form>'
  return page(`Authorize ${name}`, body)
}

async function consentRequest(ctx: AppContext, challenge: string): Promise<ConsentRequestView | Outcome> {
  const result = await getRequest(ctx, CONSENT, challenge)
  return result.status === 200 ? (result.body as ConsentRequestView) : follow(result)
}

const isOutcome = (v: ConsentRequestView | Outcome): v is Outcome => 'kind' in v

/** The checked values of a group of boxes, kept only when they were requested. */
function checked(form: Form, prefix: string, requested: string[]): string[] {
  const values = new Set([...form].filter(([k]) => k.startsWith(`${prefix}.`)).map(([, v]) => v))
  return requested.filter((v) => values.has(v))
}

/**
 * `GET /oauth2/fallbacks/consent?consent_challenge=`: the client, the subject and every requested scope and
 * audience, checked. A consent that may be skipped (or a client with skip_consent) is granted at once.
 */
export function showConsent(ctx: AppContext, challenge: string): Promise<Outcome> {
  if (!builtinPageActive(ctx.config, 'consent')) return Promise.resolve(inactive('consent'))
  return guarded(async () => {
    const r = await consentRequest(ctx, challenge)
    if (isOutcome(r)) return r
    if (r.skip || r.client.skip_consent) {
      const grant = { grant_scope: r.requested_scope, grant_access_token_audience: r.requested_access_token_audience }
      return follow(await acceptRequest(ctx, CONSENT, challenge, grant))
    }
    return html(200, consentForm(ctx, challenge, r))
  })
}

/** `POST /oauth2/fallbacks/consent`: grants the checked scopes and audiences (Allow) or denies with access_denied. */
export function submitConsent(ctx: AppContext, form: Form): Promise<Outcome> {
  if (!builtinPageActive(ctx.config, 'consent')) return Promise.resolve(inactive('consent'))
  const challenge = form.get('consent_challenge') ?? ''
  if (!pageTokenValid(ctx.sealer, 'consent', challenge, form.get('csrf_token'))) return Promise.resolve(forged())
  return guarded(async () => {
    if (form.get('action') === 'deny') {
      const denial = { error: 'access_denied', error_description: 'The resource owner denied the request.' }
      return follow(await rejectRequest(ctx, CONSENT, challenge, denial))
    }
    const r = await consentRequest(ctx, challenge)
    if (isOutcome(r)) return r
    const remember = form.get('remember') === '1'
    return follow(
      await acceptRequest(ctx, CONSENT, challenge, {
        grant_scope: checked(form, 'grant_scope', r.requested_scope),
        grant_access_token_audience: checked(form, 'grant_audience', r.requested_access_token_audience),
        remember,
        ...(remember ? { remember_for: REMEMBER_FOR_SECONDS } : {}),
      }),
    )
  })
}
