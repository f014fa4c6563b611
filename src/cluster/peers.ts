import type { AppContext } from '../context.ts'

/** A cache entry another worker thread of the same server must drop: a changed client or key set. */
export interface Invalidation {
  type: 'invalidate'
  what: 'client' | 'key_set'
  id: string
}

/** The other worker threads of this server (`serve.workers`), if any. */
export interface Peers {
  /** Tells every other worker thread; never delivered back to the sender. */
  publish(message: Invalidation): void
}

/** A server of one thread. */
export const noPeers: Peers = { publish() {} }

export const isInvalidation = (m: unknown): m is Invalidation => {
  const v = m as Partial<Invalidation> | null
  return v?.type === 'invalidate' && (v.what === 'client' || v.what === 'key_set') && typeof v.id === 'string'
}

/** Drops the entry on this thread only (a message from a peer). */
export function applyInvalidation(ctx: Pick<AppContext, 'clients' | 'keys'>, m: Invalidation): void {
  if (m.what === 'client') ctx.clients.invalidate(m.id)
  else ctx.keys.invalidate(m.id)
}

/** A client changed: this thread and every other worker drop it at once. */
export function invalidateClient(ctx: Pick<AppContext, 'clients' | 'peers'>, clientId: string): void {
  ctx.clients.invalidate(clientId)
  ctx.peers.publish({ type: 'invalidate', what: 'client', id: clientId })
}

/** A key set changed: this thread and every other worker drop it at once. */
export function invalidateKeySet(ctx: Pick<AppContext, 'keys' | 'peers'>, setId: string): void {
  ctx.keys.invalidate(setId)
  ctx.peers.publish({ type: 'invalidate', what: 'key_set', id: setId })
}
