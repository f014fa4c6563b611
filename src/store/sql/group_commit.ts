/** One caller's rows, committed all or none. */
interface Pending<R> {
  rows: readonly R[]
  resolve(): void
  reject(err: unknown): void
}

export interface GroupCommitOptions {
  /** Batches committing at the same time (1 for SQLite, whose writes are serial anyway). */
  maxInFlight: number
  /** Most rows in one batch. */
  maxRows: number
}

/**
 * Group commit: writes asked for while the event loop is busy are committed together in one transaction,
 * so a burst of token requests pays for one commit (one WAL write, one fsync, one round trip) rather than
 * one each. Nothing waits on a timer: a batch leaves as soon as the current turn of the event loop ends
 * and a slot is free. Each caller resolves only once its rows are committed; when a batch fails, its
 * callers are retried one by one, so an error reaches only the caller whose rows caused it.
 */
export class GroupCommit<R> {
  readonly #write: (rows: readonly R[]) => Promise<void>
  readonly #options: GroupCommitOptions
  #queue: Pending<R>[] = []
  #inFlight = 0
  #scheduled = false
  #drained: (() => void)[] = []

  constructor(write: (rows: readonly R[]) => Promise<void>, options: GroupCommitOptions) {
    this.#write = write
    this.#options = options
  }

  get #idle(): boolean {
    return this.#queue.length === 0 && this.#inFlight === 0
  }

  /** Settles once the queue is empty and no batch is in flight. */
  drain(): Promise<void> {
    if (this.#idle) return Promise.resolve()
    return new Promise<void>((resolve) => this.#drained.push(resolve))
  }

  add(rows: readonly R[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ rows, resolve, reject })
      this.#kick()
    })
  }

  #kick(): void {
    if (this.#scheduled || this.#queue.length === 0 || this.#inFlight >= this.#options.maxInFlight) return
    this.#scheduled = true
    // After the current turn, so that the requests being handled right now join the batch.
    setImmediate(() => {
      this.#scheduled = false
      void this.#flush()
    })
  }

  #take(): Pending<R>[] {
    let rows = 0
    let n = 0
    while (n < this.#queue.length && (n === 0 || rows + this.#queue[n]!.rows.length <= this.#options.maxRows)) {
      rows += this.#queue[n]!.rows.length
      n++
    }
    return this.#queue.splice(0, n)
  }

  async #flush(): Promise<void> {
    if (this.#inFlight >= this.#options.maxInFlight) return
    const batch = this.#take()
    if (batch.length === 0) return
    this.#inFlight++
    this.#kick()
    try {
      await this.#commit(batch)
    } finally {
      this.#inFlight--
      this.#kick()
      if (this.#idle) for (const done of this.#drained.splice(0)) done()
    }
  }

  async #commit(batch: Pending<R>[]): Promise<void> {
    try {
      await this.#write(batch.flatMap((p) => p.rows))
      for (const p of batch) p.resolve()
      return
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err)
        return
      }
    }
    for (const p of batch) {
      try {
        await this.#write(p.rows)
        p.resolve()
      } catch (err) {
        p.reject(err)
      }
    }
  }
}
