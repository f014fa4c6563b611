import { describe, expect, it } from 'bun:test'
import { isValidCodeVerifier, isValidS256Challenge, s256, verifyS256 } from '../../src/oauth2/pkce.ts'

describe('PKCE S256', () => {
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

  it('matches the RFC 7636 appendix B example', () => {
    expect(s256(verifier)).toBe(challenge)
    expect(verifyS256(verifier, challenge)).toBe(true)
  })

  it('refuses a wrong, short, long or badly formed verifier', () => {
    expect(verifyS256(`${verifier.slice(0, -1)}A`, challenge)).toBe(false)
    expect(isValidCodeVerifier('a'.repeat(42))).toBe(false)
    expect(isValidCodeVerifier('a'.repeat(129))).toBe(false)
    expect(isValidCodeVerifier(`${'a'.repeat(42)}!`)).toBe(false)
    expect(verifyS256('a'.repeat(42), s256('a'.repeat(42)))).toBe(false)
  })

  it('recognises the shape of an S256 challenge', () => {
    expect(isValidS256Challenge(challenge)).toBe(true)
    expect(isValidS256Challenge('plain-challenge')).toBe(false)
  })
})
