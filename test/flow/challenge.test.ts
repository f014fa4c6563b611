import { describe, expect, it } from 'bun:test'
import { Sealer } from '../../src/crypto/aead.ts'
import { openChallenge, sealChallenge } from '../../src/flow/challenge.ts'

const sealer = new Sealer(['a-system-secret-of-some-length'])
const now = Date.UTC(2026, 0, 1)

describe('sealed challenges', () => {
  it('round-trips flow state until it expires', () => {
    const value = sealChallenge(sealer, 'login_challenge', { client_id: 'c1', csrf: 'x' }, now + 1000)
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(openChallenge(sealer, 'login_challenge', value, now)).toEqual({ client_id: 'c1', csrf: 'x' })
    expect(openChallenge(sealer, 'login_challenge', value, now + 1000)).toBeNull()
  })

  it('never opens as another purpose', () => {
    const value = sealChallenge(sealer, 'login_challenge', { a: 1 }, now + 1000)
    expect(openChallenge(sealer, 'login_verifier', value, now)).toBeNull()
    expect(openChallenge(sealer, 'consent_challenge', value, now)).toBeNull()
  })

  it('refuses tampered, truncated, foreign and garbage values', () => {
    const value = sealChallenge(sealer, 'consent_verifier', { a: 1 }, now + 1000)
    const flipped = value.slice(0, 20) + (value[20] === 'A' ? 'B' : 'A') + value.slice(21)
    expect(openChallenge(sealer, 'consent_verifier', flipped, now)).toBeNull()
    expect(openChallenge(sealer, 'consent_verifier', value.slice(0, 30), now)).toBeNull()
    const other = new Sealer(['another-secret-entirely-here'])
    expect(openChallenge(other, 'consent_verifier', value, now)).toBeNull()
    expect(openChallenge(sealer, 'consent_verifier', 'not a challenge!', now)).toBeNull()
    expect(openChallenge(sealer, 'consent_verifier', '', now)).toBeNull()
  })

  it('still opens after the secret is rotated', () => {
    const value = sealChallenge(sealer, 'logout_challenge', { sid: 's' }, now + 1000)
    const rotated = new Sealer(['the-new-system-secret-value', 'a-system-secret-of-some-length'])
    expect(openChallenge(rotated, 'logout_challenge', value, now)).toEqual({ sid: 's' })
  })
})
