import { describe, expect, it } from 'bun:test'
import { compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose'
import { jwsSigner } from '../../src/keys/jws_sign.ts'

const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const

describe('jwsSigner', () => {
  for (const alg of ALGS) {
    it(`signs ${alg} so that jose verifies it with the public key`, async () => {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
      const jwk = { ...(await exportJWK(privateKey)), alg, kid: 'k1' }
      const jwt = jwsSigner(jwk)({ kid: 'k1', typ: 'JWT' }, { sub: 'alice', n: 1 })
      const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, { algorithms: [alg] })
      expect(payload).toEqual({ sub: 'alice', n: 1 })
      expect(protectedHeader).toEqual({ kid: 'k1', typ: 'JWT', alg })
    })
  }

  it('sets the key\'s alg whatever the header says, and a tampered payload fails verification', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const jwt = jwsSigner({ ...(await exportJWK(privateKey)), alg: 'ES256' })({ alg: 'none' }, { sub: 'a' })
    expect(decodeProtectedHeader(jwt).alg).toBe('ES256')
    const [h, , s] = jwt.split('.')
    const forged = `${h}.${Buffer.from('{"sub":"b"}').toString('base64url')}.${s}`
    await expect(compactVerify(forged, publicKey)).rejects.toThrow()
  })

  it('refuses a key without a supported signing alg', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const jwk = await exportJWK(privateKey)
    expect(() => jwsSigner({ ...jwk, alg: 'HS256' })).toThrow('no signer for alg HS256')
    expect(() => jwsSigner(jwk)).toThrow('no signer for alg')
  })
})
