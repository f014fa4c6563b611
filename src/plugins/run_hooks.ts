import type { CoreContext } from '../protocol/context.ts'
import { OAuthError, ServerError } from '../protocol/errors.ts'
import type { HookOwner } from './registry.ts'

/** The default time limit of one hook, grant or webhook call. */
export const DEFAULT_HOOK_TIMEOUT = 10_000

class HookTimeout extends Error {}

/** Thrown inside a hook runner when a plugin broke its contract (wrong shape, reserved claim, …). */
export class PluginContractError extends Error {
  override readonly name = 'PluginContractError'
}

const reasonOf = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : `threw ${typeof err}`)

/**
 * Runs one plugin call in isolation: an OAuthError passes through untouched; anything else, a timeout
 * included, is logged with the owner's name and becomes a 500 server_error. `fn` receives a signal that
 * aborts when the time limit is reached (for outgoing requests).
 */
export async function runIsolated<T>(
  ctx: CoreContext,
  owner: HookOwner,
  what: string,
  fn: (signal: AbortSignal) => T | Promise<T>,
): Promise<T> {
  const abort = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort()
      reject(new HookTimeout(`timed out after ${owner.timeout}ms`))
    }, owner.timeout)
  })
  try {
    return await Promise.race([Promise.resolve().then(() => fn(abort.signal)), expired])
  } catch (err) {
    if (err instanceof OAuthError) throw err
    const reason = err instanceof HookTimeout ? err.message : reasonOf(err)
    ctx.logger.error('plugin failed', { plugin: owner.name, hook: what, error: reason })
    throw ServerError.with({ hint: 'A plugin could not complete the request.', debug: `${owner.name} (${what}): ${reason}` })
  } finally {
    clearTimeout(timer)
  }
}
