import type { OAuth2Client } from '../protocol/client.ts'
import type { FlowContext } from './context.ts'
import { subjectFor } from '../oidc/subject.ts'
import type { LoginSessionRow } from '../store/types.ts'
import type { Browser } from './browser.ts'
import { LoginRequired } from '../protocol/errors.ts'
import type { AuthenticatedLogin, LoginAcceptance, LoginChallengeState } from './state.ts'

/** The browser's remembered login session: its cookie opens, and the store still has it, remembered and unexpired. */
export async function rememberedSession(ctx: FlowContext, browser: Browser): Promise<LoginSessionRow | null> {
  const sid = browser.readSessionId()
  if (!sid) return null
  const session = await ctx.store.flows.getLoginSession(sid)
  if (!session || !session.remember || session.expires_at <= ctx.clock()) return null
  return session
}

/** How long a remembered session lasts: `remember_for` seconds (0 = ttl.authentication_session), capped at that TTL. */
export function rememberForMs(ctx: FlowContext, rememberFor: number): number {
  const max = ctx.config.ttl.authentication_session
  return rememberFor > 0 ? Math.min(rememberFor * 1000, max) : max
}

/**
 * Whether an id_token_hint's `sub` names the session's subject as this client saw it: the local subject, its
 * pairwise identifier, or a `force_subject_identifier` an earlier login of this client chose.
 */
export async function hintNamesSubject(ctx: FlowContext, client: OAuth2Client, hintSub: unknown, subject: string): Promise<boolean> {
  if (hintSub === subject) return true
  if (typeof hintSub !== 'string') return false
  try {
    if (subjectFor(ctx, client, { subject, force_subject_identifier: null }) === hintSub) return true
  } catch {
    // A pairwise client without a sector identifier has no pairwise subject to compare with.
  }
  const flows = await ctx.store.flows.listFlows(subject, client.client_id)
  return flows.some((f) => f.data.force_subject_identifier === hintSub)
}

/**
 * Settles the login session of an accepted login, as Hydra does: a fresh login writes the session (every time)
 * and sets the session cookie only when remembered; a login that is not remembered ends the browser's previous
 * session. A skipped login keeps the session as it is unless `extend_session_lifespan`.
 */
export async function confirmLogin(
  ctx: FlowContext,
  browser: Browser,
  challenge: LoginChallengeState,
  accepted: LoginAcceptance,
): Promise<AuthenticatedLogin> {
  const now = ctx.clock()
  const { flows } = ctx.store
  let authTime = accepted.authenticated_at
  if (challenge.skip) {
    const session = await flows.getLoginSession(challenge.sid)
    if (!session || session.expires_at <= now) {
      throw LoginRequired.with({ hint: 'The login session ended while the authorization request was pending.' })
    }
    authTime = session.authenticated_at
    if (accepted.extend_session_lifespan) {
      const lifespan = rememberForMs(ctx, accepted.remember_for)
      await flows.upsertLoginSession({ ...session, expires_at: now + lifespan })
      browser.writeSession(session.id, lifespan)
    }
  } else {
    const lifespan = accepted.remember ? rememberForMs(ctx, accepted.remember_for) : ctx.config.ttl.authentication_session
    if (!accepted.remember) {
      const previous = browser.readSessionId()
      if (previous && previous !== challenge.sid) await flows.deleteLoginSession(previous)
      browser.clearSession()
    }
    await flows.upsertLoginSession({
      id: challenge.sid,
      subject: accepted.subject,
      authenticated_at: authTime,
      remember: accepted.remember,
      identity_provider_session_id: accepted.identity_provider_session_id,
      expires_at: now + lifespan,
    })
    if (accepted.remember) browser.writeSession(challenge.sid, lifespan)
  }
  return {
    subject: accepted.subject,
    sid: challenge.sid,
    auth_time: authTime,
    acr: accepted.acr,
    amr: accepted.amr,
    context: accepted.context,
    force_subject_identifier: accepted.force_subject_identifier,
  }
}
