import type { FlowContext } from './context.ts'
import type { OAuth2Client } from '../protocol/client.ts'
import type { Browser } from './browser.ts'
import { openVerifier, spendVerifier } from './challenge.ts'
import { LOGIN } from './login_request.ts'
import { requestConsent } from './consent.ts'
import { returnFailure } from './csrf.ts'
import { checkFlowEnd, type FlowEnd } from './flow_end.ts'
import { confirmLogin } from './login_session.ts'
import type { Outcome } from '../protocol/outcome.ts'

/**
 * The browser is back from the login app with a login verifier: it must be ours, for this client, from this
 * browser (login CSRF cookie), unused, and of a flow that ends at this endpoint. A rejected login ends the flow as
 * `end` says; an accepted one settles the login session and moves on to consent.
 */
export async function verifyLogin(ctx: FlowContext, client: OAuth2Client, browser: Browser, verifier: string, end: FlowEnd): Promise<Outcome> {
  const v = openVerifier(ctx, LOGIN, verifier)
  const { challenge } = v
  checkFlowEnd(end, challenge.request, LOGIN.hints.verifier)
  const forbidden = returnFailure(browser, 'login', client, challenge)
  if (forbidden) return forbidden
  await spendVerifier(ctx, LOGIN, v)
  // Hydra: a rejected login reaches the client as the error the login app chose.
  if (v.denied) return end.denied(ctx, challenge.request, v.denied)
  const login = await confirmLogin(ctx, browser, challenge, v.accepted!)
  return requestConsent(ctx, browser, client, challenge.request, challenge.id, login)
}
