import { describe, expect, it } from 'bun:test'
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX, mintOpaque, opaqueSignature } from '../../../src/oauth2/tokens/opaque.ts'

const SECRETS = ['a-system-secret-of-32-characters!']
const T0 = Date.UTC(2026, 11, 2, 12, 0, 0)

/** A token as minted before the minting time was carried: 32 random bytes and their HMAC. */
function untimedToken(secret: string): { token: string; mac: string } {
  const random = randomBytes(32)
  const key = createHash('sha256').update(secret).digest()
  const mac = createHmac('sha512-256', key).update(random).digest('base64url')
  return { token: `${ACCESS_TOKEN_PREFIX}${random.toString('base64url')}.${mac}`, mac }
}

describe('opaque tokens', () => {
  it('carry the minting time ahead of 32 random bytes, under the HMAC', () => {
    const { token, signature } = mintOpaque(SECRETS, ACCESS_TOKEN_PREFIX, T0)
    expect(token).toMatch(/^ory_at_[A-Za-z0-9_-]{51}\.[A-Za-z0-9_-]{43}$/)
    const body = Buffer.from(token.slice(7, 58), 'base64url')
    expect(body.length).toBe(38)
    expect(body.readUIntBE(0, 6)).toBe(T0)
    expect(signature).toBe(T0.toString(16).padStart(12, '0') + token.slice(59))
    expect(opaqueSignature(SECRETS, ACCESS_TOKEN_PREFIX, token)).toBe(signature)
  })

  it('are keyed in minting order, so the store index grows at one end', () => {
    const signatures = Array.from({ length: 200 }, (_, i) => mintOpaque(SECRETS, ACCESS_TOKEN_PREFIX, T0 + i * 7).signature)
    expect([...signatures].sort()).toEqual(signatures)
    expect(new Set(signatures).size).toBe(200)
  })

  it('reject an altered minting time, another prefix, and bodies of other lengths', () => {
    const { token } = mintOpaque(SECRETS, ACCESS_TOKEN_PREFIX, T0)
    const body = Buffer.from(token.slice(7, 58), 'base64url')
    body.writeUIntBE(T0 + 1, 0, 6)
    const moved = `${ACCESS_TOKEN_PREFIX}${body.toString('base64url')}${token.slice(58)}`
    expect(opaqueSignature(SECRETS, ACCESS_TOKEN_PREFIX, moved)).toBeNull()
    expect(opaqueSignature(SECRETS, REFRESH_TOKEN_PREFIX, token)).toBeNull()
    expect(opaqueSignature(SECRETS, ACCESS_TOKEN_PREFIX, token.slice(0, 57) + token.slice(58))).toBeNull()
    expect(opaqueSignature(SECRETS, ACCESS_TOKEN_PREFIX, `${token.slice(0, 58)}A${token.slice(58)}`)).toBeNull()
    expect(opaqueSignature(['another-secret-of-32-characters!!'], ACCESS_TOKEN_PREFIX, token)).toBeNull()
  })

  it('still read tokens minted without the time, by their HMAC alone, under any listed secret', () => {
    const { token, mac } = untimedToken(SECRETS[0]!)
    expect(opaqueSignature(SECRETS, ACCESS_TOKEN_PREFIX, token)).toBe(mac)
    expect(opaqueSignature(['a-newer-secret-of-32-characters!!', ...SECRETS], ACCESS_TOKEN_PREFIX, token)).toBe(mac)
  })
})
