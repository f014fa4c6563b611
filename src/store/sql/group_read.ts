interface Waiter<V> {
  resolve(value: V | null): void
  reject(err: unknown): void
}

/**
 * Lookups by key asked for in the same turn of the event loop leave together, as one query for up to
 * `maxKeys` keys (`WHERE key = ANY($1)`) instead of one query each: on PostgreSQL that saves a round trip,
 * a parse of the reply and a backend wake-up per lookup. A lookup still sees everything committed before
 * it was asked for. When the query fails, every lookup in it fails with the error.
 */
export class GroupRead<V> {
  readonly #read: (keys: readonly string[]) => Promise<Map<string, V>>
  readonly #maxKeys: number
  #waiting = new Map<string, Waiter<V>[]>()
  #scheduled = false

  constructor(read: (keys: readonly string[]) => Promise<Map<string, V>>, maxKeys: number) {
    this.#read = read
    this.#maxKeys = maxKeys
  }

  get(key: string): Promise<V | null> {
    return new Promise<V | null>((resolve, reject) => {
      let waiters = this.#waiting.get(key)
      if (!waiters) this.#waiting.set(key, (waiters = []))
      waiters.push({ resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => this.#flush())
      }
    })
  }

  #flush(): void {
    this.#scheduled = false
    const all = [...this.#waiting]
    this.#waiting = new Map()
    for (let i = 0; i < all.length; i += this.#maxKeys) {
      const chunk = all.slice(i, i + this.#maxKeys)
      this.#read(chunk.map(([key]) => key)).then(
        (found) => {
          for (const [key, waiters] of chunk) for (const w of waiters) w.resolve(found.get(key) ?? null)
        },
        (err) => {
          for (const [, waiters] of chunk) for (const w of waiters) w.reject(err)
        },
      )
    }
  }
}
