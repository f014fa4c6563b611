import { assertOutboundAllowed } from '../../util/outbound_guard.ts'
import type { CoreContext } from '../../protocol/context.ts'
import { recordHandled } from '../../protocol/handled.ts'
import { mintLogoutToken } from './logout_token.ts'
import type { SessionClient } from './session_clients.ts'

/** Runs `task` after `delayMs`; tests inject one they drive by hand. */
export type Scheduler = (delayMs: number, task: () => Promise<void>) => void

/** The default scheduler: a timer. */
export const timerScheduler: Scheduler = (delayMs, task) => {
  setTimeout(() => void task(), delayMs)
}

export interface BackchannelOptions {
  /** Sends the requests (default: global fetch). */
  fetch?: typeof fetch
  schedule?: Scheduler
  /** Attempts per client, the first included (default 4). */
  attempts?: number
  /** Delay before the first retry, doubled for each further one (default 2 s). */
  backoffMs?: number
  /** Timeout of one attempt (default 10 s). */
  timeoutMs?: number
}

interface Delivery {
  clientId: string
  uri: string
  token: string
}

/**
 * OIDC Back-Channel Logout 1.0: POSTs a logout token to the `backchannel_logout_uri` of every client of an ended
 * login session, in the background, retrying failures with exponential backoff a bounded number of times.
 */
export class BackchannelLogout {
  readonly #fetch: typeof fetch
  readonly #schedule: Scheduler
  readonly #attempts: number
  readonly #backoffMs: number
  readonly #timeoutMs: number

  constructor(options: BackchannelOptions = {}) {
    this.#fetch = options.fetch ?? fetch
    this.#schedule = options.schedule ?? timerScheduler
    this.#attempts = Math.max(1, options.attempts ?? 4)
    this.#backoffMs = options.backoffMs ?? 2000
    this.#timeoutMs = options.timeoutMs ?? 10_000
  }

  /**
   * Queues the logout notifications of login session `sid` and returns without waiting for them. Each
   * (sid, client) is notified at most once, across every node sharing the store.
   */
  async notify(ctx: CoreContext, sid: string, clients: readonly SessionClient[]): Promise<void> {
    for (const { client, subject } of clients) {
      const uri = client.backchannel_logout_uri
      if (!uri) continue
      const once = `${sid}:${client.client_id}`
      if ((await recordHandled(ctx, 'backchannel_logout', once, '', ctx.clock() + ctx.config.ttl.authentication_session)) !== null) continue
      this.#schedule(0, async () => {
        let token: string
        try {
          token = await mintLogoutToken(ctx, client, sid, subject)
        } catch (err) {
          ctx.logger.error('back-channel logout token could not be signed', { client_id: client.client_id, reason: reasonOf(err) })
          return
        }
        await this.#attempt(ctx, { clientId: client.client_id, uri, token }, 1)
      })
    }
  }

  async #attempt(ctx: CoreContext, d: Delivery, attempt: number): Promise<void> {
    let reason: string
    try {
      await assertOutboundAllowed(ctx.config.clients.http, d.uri)
      const res = await this.#fetch(d.uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: d.token }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
      await res.body?.cancel().catch(() => {})
      // OIDC Back-Channel Logout 1.0 §2.8: the RP answers 200 OK (204 is accepted, as Hydra does).
      if (res.status === 200 || res.status === 204) return
      reason = `HTTP ${res.status}`
    } catch (err) {
      reason = reasonOf(err)
    }
    const fields = { client_id: d.clientId, attempt, reason }
    if (attempt >= this.#attempts) {
      ctx.logger.error('back-channel logout failed; giving up', fields)
      return
    }
    ctx.logger.warn('back-channel logout failed; retrying', fields)
    this.#schedule(this.#backoffMs * 2 ** (attempt - 1), () => this.#attempt(ctx, d, attempt + 1))
  }
}

const reasonOf = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err))
