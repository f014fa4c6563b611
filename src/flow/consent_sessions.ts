import type { OAuth2Client } from '../protocol/client.ts'
import type { FlowContext } from './context.ts'
import type { FlowData } from './state.ts'
import { InvalidRequest } from '../protocol/errors.ts'
import type { FlowRow } from '../store/types.ts'

const PAGE_TOKEN_AAD = 'consent_sessions/page_token'

interface Cursor {
  handled_at: number
  id: string
}

export interface ConsentSessionQuery {
  subject: string
  loginSessionId?: string
  pageSize: number
  pageToken?: string
}

const newestFirst = (a: FlowRow, b: FlowRow) =>
  b.handled_at - a.handled_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

const after = (f: FlowRow, c: Cursor) => f.handled_at < c.handled_at || (f.handled_at === c.handled_at && f.id < c.id)

function openCursor(ctx: FlowContext, token: string): Cursor {
  try {
    const c = JSON.parse(ctx.sealer.open(token, PAGE_TOKEN_AAD)) as Cursor
    if (typeof c.handled_at === 'number' && typeof c.id === 'string') return c
  } catch {
    // falls through to the error below
  }
  throw InvalidRequest.with({ hint: 'The page_token is invalid.' })
}

/** A granted consent as Hydra lists it: not a skipped re-use of an earlier one, and still remembered if time-limited. */
function listed(f: FlowRow, now: number): boolean {
  const data = f.data as unknown as FlowData
  if (data.consent_request?.skip) return false
  return !(f.remember_for > 0 && f.handled_at + f.remember_for * 1000 <= now)
}

/** Hydra's oAuth2ConsentSession of a stored flow, with its oAuth2ConsentRequest. */
function consentSession(f: FlowRow, client: OAuth2Client) {
  const d = f.data as unknown as FlowData
  const request = d.consent_request
  return {
    consent_request_id: f.id,
    grant_scope: f.granted_scope,
    grant_access_token_audience: f.granted_audience,
    session: { access_token: d.session?.access_token ?? {}, id_token: d.session?.id_token ?? {} },
    remember: f.remember,
    remember_for: f.remember_for,
    handled_at: new Date(f.handled_at).toISOString(),
    context: d.context ?? null,
    consent_request: {
      challenge: request.challenge_id,
      consent_request_id: f.id,
      requested_scope: request.requested_scope,
      requested_access_token_audience: request.requested_access_token_audience,
      skip: request.skip,
      subject: f.subject,
      oidc_context: request.oidc_context,
      client,
      request_url: request.request_url,
      login_challenge: request.login_challenge,
      login_session_id: f.login_session_id ?? '',
      acr: d.acr,
      amr: d.amr,
      context: d.login_context ?? null,
    },
  }
}

/** `GET /admin/oauth2/auth/sessions/consent`: a subject's granted consents, newest first, in pages (sealed keyset cursor). */
export async function listConsentSessions(ctx: FlowContext, q: ConsentSessionQuery): Promise<{ sessions: unknown[]; next?: string }> {
  const cursor = q.pageToken ? openCursor(ctx, q.pageToken) : null
  const { flows: store } = ctx.store
  const rows = q.loginSessionId
    ? (await store.listFlowsByLoginSession(q.loginSessionId)).filter((f) => f.subject === q.subject)
    : await store.listFlows(q.subject)
  const now = ctx.clock()
  const page: { flow: FlowRow; client: OAuth2Client }[] = []
  for (const flow of rows.sort(newestFirst)) {
    if ((cursor && !after(flow, cursor)) || !listed(flow, now)) continue
    const record = await ctx.clients.get(flow.client_id)
    if (!record) continue
    page.push({ flow, client: record.client })
    if (page.length > q.pageSize) break
  }
  const sessions = page.slice(0, q.pageSize).map((p) => consentSession(p.flow, p.client))
  if (page.length <= q.pageSize) return { sessions }
  const last = page[q.pageSize - 1]!.flow
  return { sessions, next: ctx.sealer.seal(JSON.stringify({ handled_at: last.handled_at, id: last.id }), PAGE_TOKEN_AAD) }
}

export interface ConsentRevocation {
  subject?: string
  client?: string
  consentRequestId?: string
  all: boolean
}

/**
 * `DELETE /admin/oauth2/auth/sessions/consent` (Hydra's rules): one consent by `consent_request_id`, a subject's
 * consents to one `client`, or `all` of them. Each goes with every token issued under it, in one transaction.
 */
export async function revokeConsentSessions(ctx: FlowContext, r: ConsentRevocation): Promise<void> {
  if (!r.subject && !r.consentRequestId) {
    throw InvalidRequest.with({ hint: "Query parameter 'subject' or 'consent_request_id' are required." })
  }
  if (r.consentRequestId && (r.subject || r.client)) {
    throw InvalidRequest.with({ hint: "Query parameter 'consent_request_id' cannot be combined with 'subject' or 'client'." })
  }
  if (!r.consentRequestId && !r.client && !r.all) {
    throw InvalidRequest.with({ hint: "Query parameter both 'client' and 'all' is not defined but one of them should have been." })
  }
  await ctx.store.tx(async (store) => {
    let flowIds: string[]
    if (r.consentRequestId) {
      await store.flows.deleteFlow(r.consentRequestId)
      flowIds = [r.consentRequestId]
    } else {
      flowIds = await store.flows.deleteFlows(r.subject!, r.client || undefined)
    }
    await store.tokens.revokeByFlows(flowIds)
  })
}
