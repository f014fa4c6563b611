import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { DEMO_CALLBACK_PATH, demoActive } from '../../dev/builtin_pages.ts'
import { BUILTIN_PAGE_PATHS, builtinPageActive, type BuiltinPage } from '../../flow/apps.ts'
import { showCallback } from '../../dev/callback_page.ts'
import { showConsent, submitConsent } from '../../dev/consent_page.ts'
import { showDevice, showDeviceDone, submitDevice } from '../../dev/device_page.ts'
import { showLogin, submitLogin } from '../../dev/login_page.ts'
import { showLogout, submitLogout } from '../../dev/logout_page.ts'
import { errorOutcome, inactive } from '../../dev/outcome.ts'
import { OAuthError } from '../../protocol/errors.ts'
import { readForm } from '../body.ts'
import { parseParams, type Params } from '../../protocol/params.ts'
import { renderOutcome } from '../outcome.ts'
import type { Outcome } from '../../protocol/outcome.ts'

type Served = BuiltinPage | 'callback'

const active = (ctx: AppContext, what: Served) =>
  what === 'callback' ? demoActive(ctx.config) : builtinPageActive(ctx.config, what)

/**
 * Refuses a page that is not active (404); else reads the request's parameters, malformed ones (duplicates, NUL,
 * bad encoding) shown as an error page, and runs the page.
 */
async function page(
  ctx: AppContext,
  what: Served,
  read: () => Params | Promise<Params>,
  run: (params: Params) => Promise<Outcome>,
): Promise<Response> {
  if (!active(ctx, what)) return renderOutcome(inactive(what))
  let params: Params
  try {
    params = await read()
  } catch (err) {
    if (err instanceof OAuthError) return renderOutcome(errorOutcome(err))
    throw err
  }
  return renderOutcome(await run(params))
}

const query = (request: Request) => () => parseParams(new URL(request.url).searchParams)
const form = (request: Request) => () => readForm(request)

/** The challenge of a page request: `<kind>_challenge`, or Hydra's generic alias `challenge`. */
const challenge = (params: Params, name: string) => params.get(name) || params.get('challenge') || ''

/**
 * The development login, consent, logout and device pages (Hydra's `/oauth2/fallbacks/*`) and the demo client's callback.
 * They settle challenges through the same flow functions as the admin API, so `serve public` works alone. Each
 * answers 404 outside --dev, or when the operator configured an app of their own for it.
 */
export const devPagesRoutes = (ctx: AppContext) => {
  const { login, consent, logout, device, device_done } = BUILTIN_PAGE_PATHS
  return new Elysia({ name: 'public-dev-pages' })
    .get(login, ({ request }) => page(ctx, 'login', query(request), (p) => showLogin(ctx, challenge(p, 'login_challenge'))))
    .post(login, ({ request }) => page(ctx, 'login', form(request), (p) => submitLogin(ctx, p)))
    .get(consent, ({ request }) =>
      page(ctx, 'consent', query(request), (p) => showConsent(ctx, challenge(p, 'consent_challenge'))),
    )
    .post(consent, ({ request }) => page(ctx, 'consent', form(request), (p) => submitConsent(ctx, p)))
    .get(logout, ({ request }) => page(ctx, 'logout', query(request), (p) => showLogout(ctx, challenge(p, 'logout_challenge'))))
    .post(logout, ({ request }) => page(ctx, 'logout', form(request), (p) => submitLogout(ctx, p)))
    .get(device, ({ request }) =>
      page(ctx, 'device', query(request), (p) => showDevice(ctx, challenge(p, 'device_challenge'), p.get('user_code') ?? '')),
    )
    .post(device, ({ request }) => page(ctx, 'device', form(request), (p) => submitDevice(ctx, p)))
    .get(device_done, ({ request }) => page(ctx, 'device_done', query(request), (p) => showDeviceDone(ctx, p.get('client_id') ?? '')))
    .get(DEMO_CALLBACK_PATH, ({ request }) => page(ctx, 'callback', query(request), (p) => showCallback(ctx, p)))
}
