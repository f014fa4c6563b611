import { describe, expect, it } from 'bun:test'
import { contest, type Contender } from '../../bench/lib/contest.ts'
import type { LoadResult } from '../../bench/lib/load.ts'
import { ratioCell } from '../../bench/lib/report.ts'

const run = (rps: number, errors = 0): LoadResult => ({
  tool: 'fake',
  requests: rps,
  durationS: 1,
  rps,
  p50Ms: 1,
  p99Ms: 2,
  non2xx: errors,
  socketErrors: 0,
  loadgenCores: 0.1,
  serverCores: 1,
  serverPeakRss: 50 << 20,
})

/** A contender answering the scripted runs in turn (warm-up first), recording the order it was driven in. */
function scripted(label: string, role: Contender['role'], runs: LoadResult[], order: string[]): Contender {
  let i = 0
  return {
    label,
    role,
    async drive() {
      order.push(label)
      return runs[i++]!
    },
  }
}

const options = { rounds: 3, durationS: 1, warmupS: 1, log: () => {} }

describe('bench contest', () => {
  it('alternates the sides with a rotating order and compares medians against the better baseline', async () => {
    const order: string[] = []
    const result = await contest(
      'S1',
      'client_credentials',
      3,
      [
        scripted('Gatehouse', 'subject', [run(1), run(9000), run(12000), run(10000)], order),
        scripted('peer (node)', 'baseline', [run(1), run(2000), run(2500), run(2200)], order),
        scripted('peer (bun)', 'baseline', [run(1), run(3000), run(3300), run(3100)], order),
      ],
      options,
    )
    expect(order.slice(3)).toEqual([
      'Gatehouse', 'peer (node)', 'peer (bun)',
      'peer (node)', 'peer (bun)', 'Gatehouse',
      'peer (bun)', 'Gatehouse', 'peer (node)',
    ])
    expect(result.subject.rps).toBe(10000)
    expect(result.baseline?.label).toBe('peer (bun)')
    expect(result.ratio).toBeCloseTo(10000 / 3100, 10)
    expect(result.met).toBe(true)
    expect(result.refused).toBeNull()
    expect(ratioCell(result)).toBe('3.23×')
  })

  it('refuses a ratio when the compared peer returned errors in a measured run, and says which side', async () => {
    const result = await contest(
      'S4',
      'introspection',
      2,
      [
        scripted('Gatehouse', 'subject', [run(1), run(9000), run(9000), run(9000)], []),
        scripted('peer (bun)', 'baseline', [run(1), run(3000), run(3000, 12), run(3000)], []),
      ],
      options,
    )
    expect(result.ratio).toBeNull()
    expect(result.met).toBeNull()
    expect(result.refused).toBe('peer (bun) returned 12 errors')
    expect(ratioCell(result)).toBe('refused: peer (bun) returned 12 errors')
  })

  it('refuses a ratio when Gatehouse returned errors, even with a slower peer', async () => {
    const result = await contest(
      'S1',
      'client_credentials',
      3,
      [
        scripted('Gatehouse', 'subject', [run(1), run(9000, 1), run(9000), run(9000)], []),
        scripted('peer (bun)', 'baseline', [run(1), run(1000), run(1000), run(1000)], []),
      ],
      options,
    )
    expect(result.ratio).toBeNull()
    expect(result.met).toBeNull()
    expect(result.refused).toBe('Gatehouse returned 1 error')
  })

  it('does not count errors of the warm-up against the ratio', async () => {
    const result = await contest(
      'S2',
      'client_credentials',
      1.5,
      [
        scripted('Gatehouse', 'subject', [run(1, 5), run(6000), run(6000), run(6000)], []),
        scripted('peer (bun)', 'baseline', [run(1), run(5000), run(5000), run(5000)], []),
      ],
      options,
    )
    expect(result.subject.warmupErrors).toBe(5)
    expect(result.ratio).toBeCloseTo(1.2, 10)
    expect(result.met).toBe(false)
  })
})
