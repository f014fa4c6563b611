import { describe, expect, it } from 'bun:test'
import { randomBytesFast } from '../../src/crypto/random.ts'

describe('randomBytesFast', () => {
  it('never hands out the same bytes twice, across pool refills', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const b = randomBytesFast(32)
      expect(b.length).toBe(32)
      seen.add(b.toString('hex'))
    }
    expect(seen.size).toBe(2000)
  })

  it('returns independent copies (changing one leaves later draws and earlier copies alone)', () => {
    const a = randomBytesFast(12)
    const copy = Buffer.from(a)
    a.fill(0)
    const b = randomBytesFast(12)
    expect(b.equals(Buffer.alloc(12))).toBe(false)
    expect(copy.equals(Buffer.alloc(12))).toBe(false)
  })

  it('serves sizes beyond the pool directly', () => {
    const big = randomBytesFast(5000)
    expect(big.length).toBe(5000)
    expect(big.subarray(0, 64).equals(big.subarray(64, 128))).toBe(false)
  })
})
