import { randomUUID } from 'node:crypto'
import { rfc3339 } from '../../clients/record.ts'
import type { CoreContext } from '../../protocol/context.ts'
import { Conflict, InvalidRequest, NotFound } from '../../protocol/errors.ts'
import { keysetPage, openPageToken } from '../../protocol/page_token.ts'
import { StoreError, type TrustRow } from '../../store/types.ts'
import { seconds } from '../../util/clock.ts'
import { readTrustRequest } from './trust_request.ts'

/** What the trust API needs of an app. */
export type TrustContext = Pick<CoreContext, 'store' | 'clock' | 'sealer'>

/** Hydra's trustedOAuth2JwtGrantIssuer. */
export interface TrustedIssuer {
  id: string
  issuer: string
  subject: string
  allow_any_subject: boolean
  scope: string[]
  /** Where Hydra keeps the key: a set named after the issuer, and its kid. */
  public_key: { set: string; kid: string }
  created_at: string
  expires_at: string
}

const PAGE_TOKEN_AAD = 'trust/page_token'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const view = (row: TrustRow): TrustedIssuer => ({
  id: row.id,
  issuer: row.issuer,
  subject: row.subject,
  allow_any_subject: row.allow_any_subject,
  scope: [...row.scope],
  public_key: { set: row.issuer, kid: row.key_id },
  created_at: rfc3339(row.created_at),
  expires_at: rfc3339(row.expires_at),
})

/** A trust id from the path: a UUID, as Hydra parses it. */
function checkId(id: unknown): string {
  if (typeof id !== 'string' || !UUID.test(id)) throw InvalidRequest.with({ hint: 'The trust relationship id must be a UUID.' })
  return id.toLowerCase()
}

const notFound = (id: string) => NotFound.with({ hint: `The trust relationship "${id}" does not exist.` })

/** POST /admin/trust/grants/jwt-bearer/issuers: trusts an issuer's key for a subject (or any) and scopes until expires_at. */
export async function createTrust(ctx: TrustContext, body: Record<string, unknown>): Promise<TrustedIssuer> {
  const now = ctx.clock()
  const request = await readTrustRequest(body, now)
  const row: TrustRow = {
    id: randomUUID(),
    issuer: request.issuer,
    subject: request.subject,
    allow_any_subject: request.allow_any_subject,
    scope: request.scope,
    key_id: request.jwk.kid!,
    jwk: { ...request.jwk },
    created_at: seconds(now) * 1000,
    expires_at: request.expires_at,
  }
  try {
    await ctx.store.trust.create(row)
  } catch (err) {
    if (err instanceof StoreError && err.code === 'conflict') {
      const whom = row.allow_any_subject ? 'any subject' : `subject "${row.subject}"`
      throw Conflict.with({ hint: `The issuer "${row.issuer}" is already trusted for ${whom} with key "${row.key_id}".` })
    }
    throw err
  }
  return view(row)
}

export async function getTrust(ctx: TrustContext, id: unknown): Promise<TrustedIssuer> {
  const key = checkId(id)
  const row = await ctx.store.trust.get(key)
  if (!row) throw notFound(key)
  return view(row)
}

/** DELETE …/issuers/{id}: the trust and its key; the issuer's assertions are refused from then on. */
export async function deleteTrust(ctx: TrustContext, id: unknown): Promise<void> {
  const key = checkId(id)
  if (!(await ctx.store.trust.delete(key))) throw notFound(key)
}

export interface TrustListQuery {
  pageSize: number
  pageToken?: string
  issuer?: string
}

/** GET …/issuers: keyset pagination by id, optionally of one issuer. */
export async function listTrusts(ctx: TrustContext, q: TrustListQuery): Promise<{ trusts: TrustedIssuer[]; next?: string }> {
  const after = openPageToken(ctx.sealer, q.pageToken, PAGE_TOKEN_AAD)
  const rows = await ctx.store.trust.list({
    limit: q.pageSize + 1,
    ...(after !== undefined && { after }),
    ...(q.issuer !== undefined && { issuer: q.issuer }),
  })
  const { page, next } = keysetPage(ctx.sealer, rows, q.pageSize, (r) => r.id, PAGE_TOKEN_AAD)
  const trusts = page.map(view)
  return next === undefined ? { trusts } : { trusts, next }
}
