import { describe, expect, it } from 'bun:test'
import type { WorkerHandle } from '../../src/cluster/threads.ts'
import { Supervisor, WORKER_ENV } from '../../src/cluster/supervisor.ts'
import type { Invalidation } from '../../src/protocol/services.ts'
import { createLogger } from '../../src/log.ts'
import { memoryLogger } from '../_harness.ts'

/** Worker threads as the supervisor sees them, ended and answered by the test. */
function fakeThreads() {
  let next = 1
  const started: { env: Record<string, string>; handle: WorkerHandle; end(code: number): void; sent: unknown[]; deliver(m: unknown): void }[] = []
  const spawn = (env: Readonly<Record<string, string>>, onMessage: (message: unknown) => void): WorkerHandle => {
    let end!: (code: number) => void
    const exited = new Promise<number>((resolve) => (end = resolve))
    const sent: unknown[] = []
    const handle: WorkerHandle = {
      threadId: next++,
      exited,
      send: (m) => {
        sent.push(m)
        if ((m as { type?: string }).type === 'stop') end(0)
      },
      terminate: () => end(1),
    }
    started.push({ env: { ...env }, handle, end, sent, deliver: onMessage })
    return handle
  }
  return { spawn, started }
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('Supervisor of worker threads', () => {
  it('numbers its workers, relays invalidations to the others and applies them on its own thread', async () => {
    const { spawn, started } = fakeThreads()
    const applied: Invalidation[] = []
    const { logger, lines } = memoryLogger('info')
    const s = new Supervisor({
      count: 2,
      spawn,
      logger,
      onInvalidation: (m) => applied.push(m),
      onGiveUp: () => {},
      restartDelayMs: 0,
    })
    s.start({ SERVE_PUBLIC_PORT: '4444' })
    expect(started.map((t) => [t.env[WORKER_ENV], t.env.SERVE_PUBLIC_PORT])).toEqual([['1', '4444'], ['2', '4444']])
    const change: Invalidation = { type: 'invalidate', what: 'client', id: 'c1' }
    started[0]!.deliver(change)
    expect(applied).toEqual([change])
    expect(started[0]!.sent).toEqual([])
    expect(started[1]!.sent).toEqual([change])
    s.publish({ type: 'invalidate', what: 'key_set', id: 'k' })
    expect(started.map((t) => t.sent.length)).toEqual([1, 2])
    expect(lines.filter((l) => l.includes('worker started'))).toHaveLength(2)
    await s.stop()
  })

  it('starts a worker that ended unexpectedly again, and gives up on one that keeps ending', async () => {
    const { spawn, started } = fakeThreads()
    const reasons: string[] = []
    const { logger, lines } = memoryLogger('info')
    const s = new Supervisor({ count: 1, spawn, logger, onInvalidation: () => {}, onGiveUp: (r) => reasons.push(r), restartDelayMs: 0 })
    s.start({})
    started[0]!.handle.failure = () => 'TypeError: boom'
    started[0]!.end(1)
    await turn()
    await turn()
    expect(started).toHaveLength(2)
    const ended = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'worker ended unexpectedly')
    expect(ended).toMatchObject({ worker: 1, thread: started[0]!.handle.threadId, code: 1, error: 'TypeError: boom' })
    expect(started[1]!.env[WORKER_ENV]).toBe('1')
    for (let i = 1; i <= 5; i++) {
      started[i]!.end(1)
      await turn()
      await turn()
    }
    expect(reasons).toEqual(['worker 1 ended 6 times within a minute'])
    expect(started).toHaveLength(6)
  })

  it('asks every worker to stop and waits until each has ended', async () => {
    const { spawn, started } = fakeThreads()
    const s = new Supervisor({ count: 2, spawn, logger: createLogger({ level: 'panic' }), onInvalidation: () => {}, onGiveUp: () => {}, restartDelayMs: 0 })
    s.start({})
    await s.stop()
    expect(started.map((t) => t.sent)).toEqual([[{ type: 'stop' }], [{ type: 'stop' }]])
    await turn()
    expect(started).toHaveLength(2)
  })
})
