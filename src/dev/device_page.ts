import type { AppContext } from '../context.ts'
import { BUILTIN_PAGE_PATHS, builtinPageActive } from '../flow/apps.ts'
import { acceptRequest, openChallenge } from '../flow/challenge.ts'
import { DEVICE } from '../flow/device_request.ts'
import { NotFound, OAuthError } from '../protocol/errors.ts'
import type { Outcome } from '../protocol/outcome.ts'
import { errorOutcome, follow, forged, guarded, html, inactive } from './outcome.ts'
import { clientLabel, h, hidden, page } from './page.ts'
import { pageToken, pageTokenValid } from './page_token.ts'

type Form = ReadonlyMap<string, string>

const MAX_CODE = 64

function codeForm(ctx: AppContext, challenge: string, userCode: string, problem = ''): string {
  const body =
    '<h1>Connect a device</h1>' +
    '<p class="muted">Enter the code your device shows.</p>' +
    (problem ? `<p class="error" role="alert">${h(problem)}</p>` : '') +
    `<form method="post" action="${h(ctx.publicUrl + BUILTIN_PAGE_PATHS.device)}">` +
    hidden({ device_challenge: challenge, csrf_token: pageToken(ctx.sealer, 'device', challenge) }) +
    '<label class="field" for="user_code">Code</label>' +
    `<input type="text" id="user_code" name="user_code" value="${h(userCode)}" maxlength="${MAX_CODE}" ` +
    'autocomplete="off" autocapitalize="characters" spellcheck="false" autofocus required>' +
    '<div class="actions"><button type="submit">Continue</button></div>' +
    '</form>'
  return page('Connect a device', body)
}

const opens = (ctx: AppContext, challenge: string) => openChallenge(ctx.sealer, 'device_challenge', challenge, ctx.clock()) !== null

/** `GET /oauth2/fallbacks/device?device_challenge=[&user_code=]`: asks for the user code (filled in when given). */
export function showDevice(ctx: AppContext, challenge: string, userCode: string): Promise<Outcome> {
  if (!builtinPageActive(ctx.config, 'device')) return Promise.resolve(inactive('device'))
  if (!opens(ctx, challenge)) return Promise.resolve(errorOutcome(NotFound.with({ hint: DEVICE.hints.challenge })))
  return Promise.resolve(html(200, codeForm(ctx, challenge, userCode.slice(0, MAX_CODE))))
}

/**
 * `POST /oauth2/fallbacks/device`: accepts the user code as a device verification app would through the admin API.
 * A wrong code shows the form again; too many of them end the challenge.
 */
export function submitDevice(ctx: AppContext, form: Form): Promise<Outcome> {
  if (!builtinPageActive(ctx.config, 'device')) return Promise.resolve(inactive('device'))
  const challenge = form.get('device_challenge') ?? ''
  if (!pageTokenValid(ctx.sealer, 'device', challenge, form.get('csrf_token'))) return Promise.resolve(forged())
  const userCode = (form.get('user_code') ?? '').trim()
  if (!userCode || userCode.length > MAX_CODE) return Promise.resolve(html(400, codeForm(ctx, challenge, '', 'Enter the code your device shows.')))
  return guarded(async () => {
    try {
      return follow(await acceptRequest(ctx, DEVICE, challenge, { user_code: userCode }))
    } catch (err) {
      if (err instanceof OAuthError && err.error === 'invalid_request') {
        return html(400, codeForm(ctx, challenge, userCode, 'That code is unknown or has expired. Check the code on your device.'))
      }
      throw err
    }
  })
}

/** `GET /oauth2/fallbacks/device/done?client_id=`: where the browser ends once the device was authorized. */
export async function showDeviceDone(ctx: AppContext, clientId: string): Promise<Outcome> {
  if (!builtinPageActive(ctx.config, 'device_done')) return inactive('device_done')
  const client = clientId ? (await ctx.clients.get(clientId))?.client : undefined
  const to = client ? ` to <strong>${h(clientLabel(client))}</strong>` : ''
  return html(200, page('Device connected', `<h1>Device connected</h1><p>Your device is now signed in${to}. You may close this page.</p>`))
}
