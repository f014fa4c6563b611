import { describe, expect, it } from 'bun:test'
import { generateKeyPairSync } from 'node:crypto'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { expectError, rows, startServer, storeFactories } from '../_harness.ts'
import { jsonInit } from './_keys.ts'

const url = (path: string) => `http://localhost/admin/keys/${path}`

const pair = async (alg: string, kid: string): Promise<JWK> => {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' }
}

for (const factory of storeFactories()) {
  describe(`admin keys: bad input (${factory.name})`, () => {
    it('rejects algorithms it does not generate, and bad use or kid values (400)', async () => {
      const s = await startServer(factory)
      for (const alg of ['HS256', 'RS512', 'none', '', 42, null]) {
        const res = await s.adminFetch(url('s'), jsonInit('POST', { alg, kid: 'k', use: 'sig' }))
        expect(await expectError(res, 400, 'invalid_request')).toContain('"alg" must be one of RS256, ES256, ES512, EdDSA')
      }
      for (const use of ['sign', 7]) {
        const res = await s.adminFetch(url('s'), jsonInit('POST', { alg: 'ES256', kid: 'k', use }))
        expect(await expectError(res, 400, 'invalid_request')).toContain('"use" must be "sig" or "enc"')
      }
      for (const kid of ['x'.repeat(256), 5]) {
        const res = await s.adminFetch(url('s'), jsonInit('POST', { alg: 'ES256', kid, use: 'sig' }))
        expect(await expectError(res, 400, 'invalid_request')).toContain('"kid"')
      }
      const nul = await s.adminFetch(url('s'), jsonInit('POST', { alg: 'ES256', kid: 'a\u0000b', use: 'sig' }))
      expect(await expectError(nul, 400, 'invalid_request')).toContain('NUL')
      expect(await rows(s, 'jwks')).toBe(0)
    })

    it('rejects garbage, non-object and oversized bodies at every writing endpoint', async () => {
      const s = await startServer(factory)
      for (const [method, path] of [['POST', 's'], ['PUT', 's'], ['PUT', 's/k']] as const) {
        for (const body of ['', 'not json', '{"alg":', '[]', '"ES256"', 'null']) {
          await expectError(await s.adminFetch(url(path), jsonInit(method, body)), 400, 'invalid_request')
        }
        const huge = JSON.stringify({ keys: [{ kid: 'x'.repeat(2 << 20) }] })
        await expectError(await s.adminFetch(url(path), jsonInit(method, huge)), 413, 'payload_too_large')
      }
      expect(await rows(s, 'jwks')).toBe(0)
    })

    it('rejects set names and kids that are too long, and set names with a slash', async () => {
      const s = await startServer(factory)
      const long = 'x'.repeat(256)
      await expectError(await s.adminFetch(url(long)), 400, 'invalid_request')
      await expectError(await s.adminFetch(url(`s/${long}`)), 400, 'invalid_request')
      await expectError(await s.adminFetch(url(long), jsonInit('POST', { alg: 'ES256', kid: 'k', use: 'sig' })), 400, 'invalid_request')
      const slash = await s.adminFetch(url('a%2Fb'), jsonInit('POST', { alg: 'ES256', kid: 'k', use: 'sig' }))
      expect(await expectError(slash, 400, 'invalid_request')).toContain('The set name must be')
      expect(await rows(s, 'jwks')).toBe(0)
    })

    it('validates every imported key and stores nothing from a rejected set', async () => {
      const s = await startServer(factory)
      await s.hydra.jwk.createJsonWebKeySet({ set: 's', createJsonWebKeySet: { alg: 'ES256', kid: 'keep', use: 'sig' } })
      const good = await pair('ES256', 'good')
      const es512 = await pair('ES512', 'other')
      const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' })
      const { kid: _kid, ...noKid } = good
      const { d: _d, ...publicGood } = good
      const cases: [unknown, string][] = [
        [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h', alg: 'HS256', use: 'sig' }, 'symmetric ("oct") keys are not supported'],
        [{ ...good, alg: 'HS256' }, '"alg" must be one of'],
        [{ ...good, alg: undefined }, '"alg" must be one of'],
        [{ ...good, alg: 'toString' }, '"alg" must be one of'],
        [{ ...good, kty: 'RSA' }, '"kty" must be "EC" for alg ES256'],
        [{ ...good, alg: 'ES512' }, '"crv" must be "P-521" for alg ES512'],
        [noKid, '"kid"'],
        [{ ...good, use: 'signature' }, '"use" must be "sig" or "enc"'],
        [{ ...good, use: undefined }, '"use" must be "sig" or "enc"'],
        [{ ...good, x: 'not base64url!' }, '"x" must be a base64url string'],
        [{ ...publicGood, y: 123 }, '"y" must be a base64url string'],
        [{ ...good, x: es512.x }, 'the public key is not valid for its alg'],
        [{ ...good, d: (await pair('ES256', 'z')).d }, 'the private key is not valid or does not match its public key'],
        [{ ...weakRsa, kid: 'weak', alg: 'RS256', use: 'sig' }, 'at least 2048 bits'],
        [{ ...weakRsa, kid: 'weak', alg: 'RS256', use: 'sig', dq: undefined }, 'needs all of d, p, q, dp, dq, qi'],
        [{ ...good, x5c: 'abc' }, '"x5c" must be an array of base64 strings'],
        ['a string', 'must be a JSON object'],
      ]
      for (const [bad, reason] of cases) {
        const res = await s.adminFetch(url('s'), jsonInit('PUT', { keys: [good, bad] }))
        const description = await expectError(res, 400, 'invalid_request')
        expect(description).toContain('keys[1]: ')
        expect(description).toContain(reason)
      }
      for (const keys of [[], 'x', undefined, Array.from({ length: 101 }, () => good)]) {
        await expectError(await s.adminFetch(url('s'), jsonInit('PUT', { keys })), 400, 'invalid_request')
      }
      const twice = await s.adminFetch(url('s'), jsonInit('PUT', { keys: [good, { ...es512, kid: 'good' }] }))
      expect(await expectError(twice, 400, 'invalid_request')).toContain('the kid "good" is used twice')
      const { data } = await s.hydra.jwk.getJsonWebKeySet({ set: 's' })
      expect(data.keys!.map((k) => k.kid)).toEqual(['keep'])
      expect(await rows(s, 'jwks')).toBe(1)
    })

    it('rejects a single key whose kid differs from the path, or that is invalid', async () => {
      const s = await startServer(factory)
      const key = await pair('EdDSA', 'in-body')
      const mismatch = await s.adminFetch(url('s/in-path'), jsonInit('PUT', key))
      expect(await expectError(mismatch, 400, 'invalid_request')).toContain('does not match the kid "in-path"')
      const bad = await s.adminFetch(url('s/in-body'), jsonInit('PUT', { ...key, crv: 'Ed448' }))
      expect(await expectError(bad, 400, 'invalid_request')).toContain('"crv" must be "Ed25519"')
      expect(await rows(s, 'jwks')).toBe(0)
    })
  })
}
