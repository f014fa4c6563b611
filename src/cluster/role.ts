import type { Config } from '../config/schema.ts'
import type { CoreContext } from '../protocol/context.ts'
import type { Logger } from '../log.ts'
import type { ThreadHost } from './threads.ts'
import { applyInvalidation, isInvalidation } from './peers.ts'
import { type Peers } from '../protocol/services.ts'
import { Supervisor, WORKER_ENV, isStop } from './supervisor.ts'

/** The ports a worker must bind: those the supervisor actually bound (port 0 picks one). */
export function workerEnv(listeners: readonly { api: 'public' | 'admin'; port: number }[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const l of listeners) env[l.api === 'public' ? 'SERVE_PUBLIC_PORT' : 'SERVE_ADMIN_PORT'] = String(l.port)
  return env
}

export interface WorkerRole {
  /** A worker started by the supervisor (not the first thread). */
  worker: boolean
  peers?: Peers
  supervisor?: Supervisor
  /** Connects a worker to its supervisor once the app exists. */
  attach?(ctx: Pick<CoreContext, 'clients' | 'keys'>, stop: (reason: string) => void): void
}

/** This thread's worker number: 1… on a thread the supervisor started, else 0. */
export const workerIdOf = (io: ThreadHost): number => (io.parent ? Number(io.env[WORKER_ENV] ?? 0) : 0)

/** What this thread is with `serve.workers`: the only one, the supervisor, or one of its workers. */
export function workerRole(config: Config, io: ThreadHost, logger: Logger, giveUp: (reason: string) => void): WorkerRole {
  const parent = io.parent
  if (parent && workerIdOf(io) > 0) {
    return {
      worker: true,
      peers: { publish: (message) => parent.send(message) },
      attach(ctx, stop) {
        parent.onMessage((message) => {
          if (isInvalidation(message)) applyInvalidation(ctx, message)
          else if (isStop(message)) stop('supervisor')
        })
      },
    }
  }
  if (config.serve.workers === 1) return { worker: false }
  if (!io.spawnWorker) {
    logger.warn('serve.workers is ignored here: this command cannot start threads')
    return { worker: false }
  }
  let ctxRef: Pick<CoreContext, 'clients' | 'keys'> | undefined
  const supervisor = new Supervisor({
    count: config.serve.workers - 1,
    spawn: io.spawnWorker,
    logger,
    onInvalidation: (message) => ctxRef && applyInvalidation(ctxRef, message),
    onGiveUp: giveUp,
  })
  return {
    worker: false,
    peers: supervisor,
    supervisor,
    attach(ctx) {
      ctxRef = ctx
    },
  }
}
