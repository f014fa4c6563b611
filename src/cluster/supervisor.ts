import type { ThreadHost, WorkerHandle } from './threads.ts'
import type { Logger } from '../log.ts'
import { isInvalidation } from './peers.ts'
import { type Invalidation, type Peers } from '../protocol/services.ts'

/** The environment variable that tells a thread it is worker N of a server (1-based; the supervisor is 0). */
export const WORKER_ENV = 'GATEHOUSE_WORKER'

/** A worker that dies this often within `RESTART_WINDOW_MS` is not restarted again: the server stops. */
const MAX_RESTARTS = 5
const RESTART_WINDOW_MS = 60_000
const RESTART_DELAY_MS = 1_000
const STOP_TIMEOUT_MS = 30_000

/** Tells a worker to drain and exit, as SIGTERM does. */
export interface StopMessage {
  type: 'stop'
}

export const isStop = (m: unknown): m is StopMessage => (m as Partial<StopMessage> | null)?.type === 'stop'

interface Slot {
  id: number
  child: WorkerHandle | null
  restarts: number[]
}

export interface SupervisorOptions {
  /** Workers besides the supervisor itself. */
  count: number
  spawn: NonNullable<ThreadHost['spawnWorker']>
  logger: Logger
  /** A peer's invalidation, to apply on the supervisor's own thread. */
  onInvalidation(message: Invalidation): void
  /** Workers keep dying: the server cannot run as configured. */
  onGiveUp(reason: string): void
  /** Pause before a worker that ended is started again, ms. Default 1000. */
  restartDelayMs?: number
}

/**
 * The first thread of a server with `serve.workers` > 1: starts the worker threads, relays invalidations
 * between all of them, restarts a worker that ends unexpectedly and stops them all on shutdown.
 */
export class Supervisor implements Peers {
  readonly #o: SupervisorOptions
  readonly #slots: Slot[]
  #stopping = false
  #env: Readonly<Record<string, string>> = {}

  constructor(options: SupervisorOptions) {
    this.#o = options
    this.#slots = Array.from({ length: options.count }, (_, i) => ({ id: i + 1, child: null, restarts: [] }))
  }

  /** Starts the workers with `env` on top of the process's environment (e.g. the ports actually bound). */
  start(env: Readonly<Record<string, string>>): void {
    this.#env = env
    for (const slot of this.#slots) this.#spawn(slot)
  }

  publish(message: Invalidation): void {
    this.#relay(message, null)
  }

  /** Asks every worker to drain and end; terminates those still running after 30 s. */
  async stop(): Promise<void> {
    this.#stopping = true
    const running = this.#slots.flatMap((s) => (s.child ? [s.child] : []))
    for (const child of running) {
      try {
        child.send({ type: 'stop' } satisfies StopMessage)
      } catch {
        child.terminate()
      }
    }
    await Promise.all(
      running.map(async (child) => {
        const timer = setTimeout(() => child.terminate(), STOP_TIMEOUT_MS)
        await child.exited
        clearTimeout(timer)
      }),
    )
  }

  #relay(message: Invalidation, from: Slot | null): void {
    for (const slot of this.#slots) {
      if (slot === from || !slot.child) continue
      try {
        slot.child.send(message)
      } catch (err) {
        this.#o.logger.warn('could not reach a worker', { worker: slot.id, error: (err as Error).message })
      }
    }
  }

  #spawn(slot: Slot): void {
    const child = this.#o.spawn({ ...this.#env, [WORKER_ENV]: String(slot.id) }, (message) => {
      if (!isInvalidation(message)) return
      this.#o.onInvalidation(message)
      this.#relay(message, slot)
    })
    slot.child = child
    this.#o.logger.info('worker started', { worker: slot.id, thread: child.threadId })
    void child.exited.then((code) => {
      if (slot.child === child) slot.child = null
      if (this.#stopping) return
      const error = child.failure?.()
      this.#o.logger.error('worker ended unexpectedly', { worker: slot.id, thread: child.threadId, code, ...(error ? { error } : {}) })
      const now = Date.now()
      slot.restarts = [...slot.restarts.filter((t) => now - t < RESTART_WINDOW_MS), now]
      if (slot.restarts.length > MAX_RESTARTS) {
        this.#o.onGiveUp(`worker ${slot.id} ended ${slot.restarts.length} times within a minute`)
        return
      }
      setTimeout(() => {
        if (!this.#stopping) this.#spawn(slot)
      }, this.#o.restartDelayMs ?? RESTART_DELAY_MS)
    })
  }
}
