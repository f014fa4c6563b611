import type { FlowContext } from './context.ts'
import { sessionClients, type SessionClient } from '../oidc/logout/session_clients.ts'

/**
 * Ends login session `sid`: its clients are notified over the back channel (in the background), then the session
 * is deleted. Returns the clients, for the front channel.
 */
export async function endLoginSession(ctx: FlowContext, sid: string): Promise<SessionClient[]> {
  const clients = await sessionClients(ctx, sid)
  await ctx.backchannel.notify(ctx, sid, clients)
  await ctx.store.flows.deleteLoginSession(sid)
  return clients
}

/** Headless logout of one login session (`DELETE …/sessions/login?sid=`); an unknown session is a no-op, as in Hydra. */
export async function revokeLoginSession(ctx: FlowContext, sid: string): Promise<void> {
  if (await ctx.store.flows.getLoginSession(sid)) await endLoginSession(ctx, sid)
}

/** Ends every login session of `subject` (`DELETE …/sessions/login?subject=`), each with back-channel logout. */
export async function revokeSubjectLoginSessions(ctx: FlowContext, subject: string): Promise<void> {
  for (const sid of await ctx.store.flows.deleteLoginSessionsBySubject(subject)) {
    await ctx.backchannel.notify(ctx, sid, await sessionClients(ctx, sid))
  }
}
