import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { InvalidRequest } from '../../protocol/errors.ts'
import { listConsentSessions, revokeConsentSessions } from '../../flow/consent_sessions.ts'
import { revokeLoginSession, revokeSubjectLoginSessions } from '../../flow/login_sessions.ts'
import { json } from '../body.ts'
import { parseParams, type Params } from '../../protocol/params.ts'
import { linkHeader, parsePageSize } from './clients.ts'

const CONSENT = '/admin/oauth2/auth/sessions/consent'
const LOGIN = '/admin/oauth2/auth/sessions/login'

const queryOf = (request: Request): Params => parseParams(new URL(request.url).searchParams)
const noContent = () => new Response(null, { status: 204 })
const nonEmpty = (value: string | undefined) => (value === '' ? undefined : value)

/** Hydra's session admin API: list and revoke consent sessions, revoke login sessions. */
export const sessionsRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'admin-sessions' })
    .get(CONSENT, async ({ request }) => {
      const query = queryOf(request)
      const subject = nonEmpty(query.get('subject'))
      if (!subject) throw InvalidRequest.with({ hint: "Query parameter 'subject' is not defined but should have been." })
      const loginSessionId = nonEmpty(query.get('login_session_id'))
      const pageSize = parsePageSize(query.get('page_size'))
      const pageToken = nonEmpty(query.get('page_token'))
      const { sessions, next } = await listConsentSessions(ctx, {
        subject,
        pageSize,
        ...(loginSessionId !== undefined && { loginSessionId }),
        ...(pageToken !== undefined && { pageToken }),
      })
      const filters: [string, string][] = [['subject', subject]]
      if (loginSessionId !== undefined) filters.push(['login_session_id', loginSessionId])
      return json(sessions, 200, { link: linkHeader(CONSENT, filters, pageSize, next) })
    })
    .delete(CONSENT, async ({ request }) => {
      const query = queryOf(request)
      const subject = nonEmpty(query.get('subject'))
      const client = nonEmpty(query.get('client'))
      const consentRequestId = nonEmpty(query.get('consent_request_id'))
      await revokeConsentSessions(ctx, {
        all: query.get('all') === 'true',
        ...(subject !== undefined && { subject }),
        ...(client !== undefined && { client }),
        ...(consentRequestId !== undefined && { consentRequestId }),
      })
      return noContent()
    })
    .delete(LOGIN, async ({ request }) => {
      const query = queryOf(request)
      const sid = nonEmpty(query.get('sid'))
      const subject = nonEmpty(query.get('subject'))
      if (sid !== undefined) await revokeLoginSession(ctx, sid)
      else if (subject !== undefined) await revokeSubjectLoginSessions(ctx, subject)
      else throw InvalidRequest.with({ hint: "Either 'subject' or 'sid' query parameters need to be defined." })
      return noContent()
    })
