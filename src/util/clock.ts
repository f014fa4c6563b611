/** Milliseconds since the epoch; every module that needs the time takes a Clock instead of calling Date.now. */
export type Clock = () => number

export const systemClock: Clock = () => Date.now()

/** A clock tests can move by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start
  const clock = (() => now) as Clock & { advance(ms: number): void; set(ms: number): void }
  clock.advance = (ms) => {
    now += ms
  }
  clock.set = (ms) => {
    now = ms
  }
  return clock
}

export const seconds = (ms: number) => Math.floor(ms / 1000)
