import type { ClientDirectory, Invalidation, KeyManager } from '../protocol/services.ts'

export const isInvalidation = (m: unknown): m is Invalidation => {
  const v = m as Partial<Invalidation> | null
  return v?.type === 'invalidate' && (v.what === 'client' || v.what === 'key_set') && typeof v.id === 'string'
}

/** Drops the entry on this thread only (a message from a peer). */
export function applyInvalidation(ctx: { clients: ClientDirectory; keys: KeyManager }, m: Invalidation): void {
  if (m.what === 'client') ctx.clients.invalidate(m.id)
  else ctx.keys.invalidate(m.id)
}
