import type { FlowContext } from './context.ts'

const aad = (id: string) => `handled_challenge:${id}`

/**
 * Records that a challenge or verifier was handled, with the redirect it answered (sealed: it may hold a verifier).
 * Single winner: returns null when this call recorded it, else the redirect recorded first.
 */
export async function recordHandled(ctx: FlowContext, id: string, redirectTo: string, expiresAt: number): Promise<string | null> {
  if (await ctx.store.flows.markHandled(id, ctx.sealer.seal(redirectTo, aad(id)), expiresAt)) return null
  return (await handledRedirect(ctx, id)) ?? ''
}

/** The redirect a handled challenge answered, or null when it was not handled. */
export async function handledRedirect(ctx: FlowContext, id: string): Promise<string | null> {
  const sealed = await ctx.store.flows.getHandled(id)
  if (sealed === null) return null
  try {
    return ctx.sealer.open(sealed, aad(id))
  } catch {
    return ''
  }
}

/** Hydra's answer for a challenge that was already accepted or rejected: 410 with the earlier redirect. */
export const gone = (redirectTo: string): AdminResult => ({ status: 410, body: { redirect_to: redirectTo } })

/** What an admin endpoint of the flow answers. */
export interface AdminResult {
  status: number
  body: unknown
}
