const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g

export const DURATION_PATTERN = '^(-1|0|((\\d+(\\.\\d+)?)(ms|s|m|h))+)$'

/** Parses a Go-style duration (`1h30m`, `720h`, `10m`, `0s`) into milliseconds; `-1` stays -1 (never). */
export function parseDuration(text: string): number {
  if (text === '-1') return -1
  if (text === '0') return 0
  let total = 0
  let consumed = 0
  for (const m of text.matchAll(PART)) {
    total += Number(m[1]) * UNIT[m[2]!]!
    consumed += m[0].length
  }
  if (consumed !== text.length || consumed === 0) throw new TypeError(`invalid duration "${text}"`)
  return Math.round(total)
}

/** Formats milliseconds as a Go-style duration, the form Hydra's API uses for lifespans. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  let rest = ms
  let out = ''
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    const n = Math.floor(rest / size)
    if (n > 0) out += `${n}${unit}`
    rest -= n * size
  }
  if (rest > 0) out += `${rest}ms`
  return out
}
