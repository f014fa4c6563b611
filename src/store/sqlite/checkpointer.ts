export interface CheckpointerOptions {
  /** Pause between PASSIVE checkpoints, ms. */
  intervalMs?: number
  /** WAL frames (pages) beyond which a RESTART checkpoint rewinds the WAL. */
  restartFrames?: number
  /** How long a RESTART checkpoint waits for the writer, ms. */
  busyTimeoutMs?: number
  /** How long stop() waits for a worker that does not answer (stuck in a checkpoint) before terminating it, ms. */
  stopTimeoutMs?: number
}

/** How stop() ended: the worker answered, the worker had already exited, or it did not answer in time. */
export type StopOutcome = 'stopped' | 'exited' | 'timed out'

let stopTimeouts = 0

/** How many times in this process stop() gave up waiting for a worker and terminated it. */
export const checkpointerStopTimeouts = () => stopTimeouts

// The worker's code, inlined so the compiled binary carries it without another entry point. It opens its
// own connection; a checkpoint there blocks only that thread, fsync included.
const SOURCE = `
import { Database } from 'bun:sqlite'
let db
let timer
self.onmessage = ({ data }) => {
  if (data.stop) {
    clearTimeout(timer)
    try { db?.close() } catch {}
    postMessage('stopped')
    return
  }
  db = new Database(data.path)
  db.run('PRAGMA busy_timeout = ' + data.busyTimeoutMs)
  const tick = () => {
    try {
      const r = db.query('PRAGMA wal_checkpoint(PASSIVE)').get()
      if (r && r.log > data.restartFrames) db.query('PRAGMA wal_checkpoint(RESTART)').get()
    } catch {}
    timer = setTimeout(tick, data.intervalMs)
  }
  tick()
}
`

let sourceUrl: string | undefined

/**
 * Checkpoints a WAL-mode SQLite database on a worker thread, for a connection that has turned automatic
 * checkpoints off. A checkpoint copies pages back into the database file and ends with an fsync; done by
 * the serving connection, that stalls every request behind the commit that crossed the threshold. Here
 * PASSIVE checkpoints run in the background without blocking writers, and a RESTART checkpoint (writers
 * meanwhile get SQLITE_BUSY, which the driver retries asynchronously) rewinds the WAL once it holds more
 * than `restartFrames` pages, so it cannot grow without bound under constant writes.
 */
export class Checkpointer {
  readonly #worker: Worker
  readonly #stopTimeoutMs: number
  #exited = false
  #stopping: Promise<StopOutcome> | undefined

  constructor(path: string, options: CheckpointerOptions = {}) {
    sourceUrl ??= URL.createObjectURL(new Blob([SOURCE], { type: 'application/javascript' }))
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 3000
    this.#worker = new Worker(sourceUrl)
    // Never keeps a process (a CLI command, a test run) alive by itself.
    this.#worker.unref()
    this.#worker.addEventListener('close', () => (this.#exited = true))
    this.#worker.postMessage({
      path,
      intervalMs: options.intervalMs ?? 20,
      restartFrames: options.restartFrames ?? 20000,
      busyTimeoutMs: options.busyTimeoutMs ?? 2000,
    })
  }

  /**
   * Stops checkpointing and closes the worker's connection. Every call shares the first one's outcome: the
   * worker is terminated after it answers, so a second 'stop' message would never be answered.
   */
  stop(): Promise<StopOutcome> {
    this.#stopping ??= this.#stop()
    return this.#stopping
  }

  async #stop(): Promise<StopOutcome> {
    if (this.#exited) return 'exited'
    const outcome = await new Promise<StopOutcome>((resolve) => {
      const timer = setTimeout(() => resolve('timed out'), this.#stopTimeoutMs)
      const settle = (outcome: StopOutcome) => {
        clearTimeout(timer)
        resolve(outcome)
      }
      this.#worker.addEventListener('message', () => settle('stopped'), { once: true })
      // A worker that died (an uncaught error) cannot answer either.
      this.#worker.addEventListener('close', () => settle('exited'), { once: true })
      this.#worker.postMessage({ stop: true })
    })
    if (outcome === 'timed out') stopTimeouts++
    this.#worker.terminate()
    return outcome
  }
}
