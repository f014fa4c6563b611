import type { CoreContext } from './context.ts'

/**
 * What is settled exactly once, by the prefix of its marker's id in the store. Logout challenges and verifiers
 * share login's prefixes, as every version so far stored them (their ids are random UUIDs).
 */
const PREFIXES = {
  login_challenge: 'lc',
  login_verifier: 'lv',
  consent_challenge: 'cc',
  consent_verifier: 'cv',
  logout_challenge: 'lc',
  logout_verifier: 'lv',
  device_challenge: 'dc',
  device_verifier: 'dv',
  backchannel_logout: 'bcl',
} as const

export type HandledKind = keyof typeof PREFIXES

type MarkerContext = Pick<CoreContext, 'store' | 'sealer'>

const markerId = (kind: HandledKind, id: string) => `${PREFIXES[kind]}:${id}`
const aad = (marker: string) => `handled_challenge:${marker}`

/**
 * Records that a challenge or verifier (or a notification) was handled, with the redirect it answered (sealed: it
 * may hold a verifier). Single winner: returns null when this call recorded it, else the redirect recorded first.
 */
export async function recordHandled(ctx: MarkerContext, kind: HandledKind, id: string, redirectTo: string, expiresAt: number): Promise<string | null> {
  const marker = markerId(kind, id)
  if (await ctx.store.flows.markHandled(marker, ctx.sealer.seal(redirectTo, aad(marker)), expiresAt)) return null
  return (await handledRedirect(ctx, kind, id)) ?? ''
}

/** The redirect a handled challenge answered, or null when it was not handled. */
export async function handledRedirect(ctx: MarkerContext, kind: HandledKind, id: string): Promise<string | null> {
  const marker = markerId(kind, id)
  const sealed = await ctx.store.flows.getHandled(marker)
  if (sealed === null) return null
  try {
    return ctx.sealer.open(sealed, aad(marker))
  } catch {
    return ''
  }
}
