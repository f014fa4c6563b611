import type { OAuth2Client } from '../protocol/client.ts'
import type { FlowContext } from './context.ts'
import { InvalidRequest, NotFound } from '../protocol/errors.ts'
import { MAX_CHALLENGE_LENGTH } from './challenge.ts'
import { gone, handledRedirect, recordHandled, type AdminResult } from './handled.ts'

/** The client of a flow as the admin API shows it (no secret); not_found when it was deleted meanwhile. */
export async function flowClient(ctx: FlowContext, clientId: string): Promise<OAuth2Client> {
  const record = await ctx.clients.get(clientId)
  if (!record) throw NotFound.with({ hint: 'The OAuth 2.0 Client of this request no longer exists.' })
  return record.client
}

/** Whether a query string may carry `name` (percent-encoded names count; undecodable ones are assumed to). */
function mayCarry(query: string, name: string): boolean {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=')
    const raw = eq < 0 ? pair : pair.slice(0, eq)
    if (raw === name) return true
    if (raw.includes('%')) {
      try {
        if (decodeURIComponent(raw) === name) return true
      } catch {
        return true
      }
    }
  }
  return false
}

/** `url` with one query parameter set (replaced when present). */
export function withParam(url: string, name: string, value: string): string {
  const q = url.indexOf('?')
  // Appending is the same as setting when the parameter is absent; anything else takes the URL parser.
  if (!url.includes('#') && (q < 0 || !mayCarry(url.slice(q + 1), name)) && URL.canParse(url)) {
    const separator = q < 0 ? '?' : q === url.length - 1 || url.endsWith('&') ? '' : '&'
    return `${url}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}`
  }
  const u = new URL(url)
  u.searchParams.set(name, value)
  return u.href
}

/**
 * Answers an accept or reject: builds the redirect and records the challenge as handled with it (single
 * winner), or answers 410 with the redirect recorded by whoever handled it first. The insert itself tells
 * whether it was first, so the usual path reads nothing; a challenge handled before still answers 410 when
 * building this redirect fails (a scope no longer allowed, a client deleted meanwhile).
 */
export async function handOut(
  ctx: FlowContext,
  handledId: string,
  expiresAt: number,
  build: () => string | Promise<string>,
): Promise<AdminResult> {
  let redirectTo: string
  try {
    redirectTo = await build()
    // The browser carries redirect_to back as a URL; a verifier beyond this would not even open.
    if (redirectTo.length > MAX_CHALLENGE_LENGTH) {
      throw InvalidRequest.with({ hint: 'The accepted data is too large to travel back in the redirect URL.' })
    }
  } catch (err) {
    const previous = await handledRedirect(ctx, handledId)
    if (previous !== null) return gone(previous)
    throw err
  }
  const previous = await recordHandled(ctx, handledId, redirectTo, expiresAt)
  return previous === null ? { status: 200, body: { redirect_to: redirectTo } } : gone(previous)
}
