import type { FlowContext } from './context.ts'
import type { Browser } from './browser.ts'
import { openVerifier, spendVerifier } from './challenge.ts'
import { LOGOUT } from './logout_request.ts'
import { frontchannelUrl, logoutPage } from '../oidc/logout/frontchannel.ts'
import { endLoginSession } from './login_sessions.ts'
import type { Outcome } from '../protocol/outcome.ts'

/**
 * The browser is back from the logout app with a logout verifier: it must be ours and unused, and the browser's
 * session must be the one to end. Then the session ends (back channel, session deleted, cookie cleared) and the
 * front-channel page takes the browser on to the post-logout redirect.
 */
export async function completeLogout(ctx: FlowContext, browser: Browser, verifier: string): Promise<Outcome> {
  const v = openVerifier(ctx, LOGOUT, verifier)
  const { challenge } = v
  await spendVerifier(ctx, LOGOUT, v)
  const next = challenge.post_logout_redirect_uri
  const cookieSid = browser.readSessionId()
  // hydra-contract §7: a browser holding another session (or, OP-initiated, none) logs nobody out.
  const mismatch = challenge.rp_initiated ? cookieSid !== null && cookieSid !== challenge.sid : cookieSid !== challenge.sid
  if (mismatch) return logoutPage([], next)
  if (cookieSid === challenge.sid) browser.clearSession()
  const clients = await endLoginSession(ctx, challenge.sid)
  const frames = clients.map((c) => frontchannelUrl(ctx, c.client, challenge.sid)).filter((u): u is string => u !== null)
  return logoutPage(frames, next)
}
