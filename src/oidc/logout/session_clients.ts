import type { OAuth2Client } from '../../protocol/client.ts'
import type { CoreContext } from '../../protocol/context.ts'
import type { SubjectSource } from '../subject.ts'

/** A client that took part in a login session, with the user as that client knows them. */
export interface SessionClient {
  client: OAuth2Client
  subject: SubjectSource
}

/** The clients with a consent flow in login session `sid` (each once, newest flow first); deleted clients are left out. */
export async function sessionClients(ctx: CoreContext, sid: string): Promise<SessionClient[]> {
  const seen = new Set<string>()
  const clients: SessionClient[] = []
  for (const flow of await ctx.store.flows.listFlowsByLoginSession(sid)) {
    if (seen.has(flow.client_id)) continue
    seen.add(flow.client_id)
    const record = await ctx.clients.get(flow.client_id)
    if (!record) continue
    const forced = flow.data.force_subject_identifier
    clients.push({
      client: record.client,
      subject: { subject: flow.subject, force_subject_identifier: typeof forced === 'string' && forced ? forced : null },
    })
  }
  return clients
}
