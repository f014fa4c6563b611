/** One named step of an endpoint: given everything the earlier steps returned, it returns what it adds (or nothing). */
export type Step<T, A extends object | void> = (t: T) => A | Promise<A>

/**
 * An endpoint as a table of named steps, typed end to end: each step reads what the steps before it returned and
 * adds its own, so a later step never reads a field an earlier one may not have set. Steps throw to refuse.
 */
export interface Pipeline<I extends object, T extends object> {
  then<A extends object | void>(step: Step<T, A>): Pipeline<I, A extends object ? Omit<T, keyof A> & A : T>
  run(initial: I): Promise<T>
}

function chain<I extends object, T extends object>(steps: readonly Step<object, object | void>[]): Pipeline<I, T> {
  return {
    then: (step) => chain([...steps, step as unknown as Step<object, object | void>]),
    async run(initial) {
      const t: object = { ...initial }
      for (const step of steps) {
        const result = step(t)
        // A step that returns at once is not awaited: each await is a turn of the event loop.
        const added = result instanceof Promise ? await result : result
        if (added) Object.assign(t, added)
      }
      return t as T
    },
  }
}

/** A pipeline with no steps yet, run on an `I`. */
export const pipeline = <I extends object>(): Pipeline<I, I> => chain<I, I>([])
