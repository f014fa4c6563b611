import { describe, expect, it } from 'bun:test'
import { testConfig } from '../../_harness.ts'
import { mintRegistrationAccessToken, registrationTokenMatches } from '../../../src/oidc/registration/registration_access_token.ts'
import { manualClock } from '../../../src/util/clock.ts'

const ctxOf = (secrets: string[]) => ({ config: testConfig({ 'secrets.system': secrets }), clock: manualClock(Date.UTC(2026, 0, 1)) })
const ctx = ctxOf(['registration-secret-0123456789'])

describe('registration access token', () => {
  it('is a fresh opaque access token each time, kept by its signature', () => {
    const a = mintRegistrationAccessToken(ctx)
    const b = mintRegistrationAccessToken(ctx)
    expect(a.token).toMatch(/^ory_at_[A-Za-z0-9_-]{51}\.[A-Za-z0-9_-]{43}$/)
    expect(a.token).not.toBe(b.token)
    expect(a.signature).not.toContain(a.token.slice('ory_at_'.length, a.token.indexOf('.')))
    expect(registrationTokenMatches(ctx, a.token, a.signature)).toBe(true)
    expect(registrationTokenMatches(ctx, b.token, a.signature)).toBe(false)
  })

  it('matches nothing for a client without one, and no altered or foreign token', () => {
    const { token, signature } = mintRegistrationAccessToken(ctx)
    expect(registrationTokenMatches(ctx, token, null)).toBe(false)
    expect(registrationTokenMatches(ctx, token, '')).toBe(false)
    expect(registrationTokenMatches(ctx, token, signature.slice(1))).toBe(false)
    const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1)
    expect(registrationTokenMatches(ctx, flipped, signature)).toBe(false)
    expect(registrationTokenMatches(ctx, token.replace('ory_at_', 'ory_rt_'), signature)).toBe(false)
    const foreign = mintRegistrationAccessToken(ctxOf(['some-other-secret-0123456789']))
    expect(registrationTokenMatches(ctx, foreign.token, foreign.signature)).toBe(false)
  })

  it('still matches after the system secret was rotated', () => {
    const { token, signature } = mintRegistrationAccessToken(ctx)
    const rotated = ctxOf(['a-new-registration-secret-0123', 'registration-secret-0123456789'])
    expect(registrationTokenMatches(rotated, token, signature)).toBe(true)
  })
})
