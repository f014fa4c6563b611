import { describe, expect, it } from 'bun:test'
import type { JsonWebKey } from '@ory/hydra-client'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { startServer, storeFactories } from '../_harness.ts'
import { expectSdkError } from './_keys.ts'

const pair = async (alg: string, kid: string, use = 'sig'): Promise<JsonWebKey> => {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg, use } as JsonWebKey
}
const publicOf = (jwk: JsonWebKey): JsonWebKey => {
  const { d: _d, ...rest } = jwk
  return rest
}

for (const factory of storeFactories()) {
  describe(`admin keys (${factory.name})`, () => {
    it('creates ES256, ES512 and EdDSA keys with private parts (201)', async () => {
      const s = await startServer(factory)
      const expected = { ES256: ['EC', 'P-256'], ES512: ['EC', 'P-521'], EdDSA: ['OKP', 'Ed25519'] } as const
      for (const [alg, [kty, crv]] of Object.entries(expected)) {
        const res = await s.hydra.jwk.createJsonWebKeySet({ set: 'my.set', createJsonWebKeySet: { alg, kid: `k-${alg}`, use: 'sig' } })
        expect(res.status).toBe(201)
        expect(res.data.keys).toHaveLength(1)
        const key = res.data.keys![0]!
        expect(key).toMatchObject({ kty, crv, alg, kid: `k-${alg}`, use: 'sig' })
        expect(typeof key.d).toBe('string')
      }
      const { data } = await s.hydra.jwk.getJsonWebKeySet({ set: 'my.set' })
      expect(data.keys!.map((k) => k.kid)).toEqual(['k-EdDSA', 'k-ES512', 'k-ES256'])
      expect(data.keys!.every((k) => typeof k.d === 'string')).toBe(true)
    })

    it('creates RS256 keys with the configured modulus length', async () => {
      const s = await startServer(factory, { 'keys.rsa_modulus_length': 2048 })
      const { data } = await s.hydra.jwk.createJsonWebKeySet({ set: 'rsa', createJsonWebKeySet: { alg: 'RS256', kid: 'r1', use: 'sig' } })
      const key = data.keys![0]!
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: 'r1', e: 'AQAB' })
      expect(Buffer.from(key.n!, 'base64url').length * 8).toBe(2048)
      for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) expect(typeof key[m]).toBe('string')
    })

    it('generates a UUID kid when none is given, and an enc key when asked', async () => {
      const s = await startServer(factory)
      const { data } = await s.hydra.jwk.createJsonWebKeySet({ set: 'gen', createJsonWebKeySet: { alg: 'ES256', kid: '', use: 'enc' } })
      expect(data.keys![0]!.kid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      expect(data.keys![0]!.use).toBe('enc')
    })

    it('gets one key wrapped in a set, and 404s for unknown sets and kids', async () => {
      const s = await startServer(factory)
      await s.hydra.jwk.createJsonWebKeySet({ set: 'one', createJsonWebKeySet: { alg: 'ES256', kid: 'a', use: 'sig' } })
      const { data } = await s.hydra.jwk.getJsonWebKey({ set: 'one', kid: 'a' })
      expect(data.keys!.map((k) => k.kid)).toEqual(['a'])
      expect(typeof data.keys![0]!.d).toBe('string')
      await expectSdkError(s.hydra.jwk.getJsonWebKey({ set: 'one', kid: 'nope' }), 404, 'not_found')
      await expectSdkError(s.hydra.jwk.getJsonWebKey({ set: 'none', kid: 'a' }), 404, 'not_found')
      await expectSdkError(s.hydra.jwk.getJsonWebKeySet({ set: 'none' }), 404, 'not_found')
    })

    it('refuses a second key with the same kid in a set (409)', async () => {
      const s = await startServer(factory)
      await s.hydra.jwk.createJsonWebKeySet({ set: 'dup', createJsonWebKeySet: { alg: 'ES256', kid: 'same', use: 'sig' } })
      await expectSdkError(
        s.hydra.jwk.createJsonWebKeySet({ set: 'dup', createJsonWebKeySet: { alg: 'EdDSA', kid: 'same', use: 'sig' } }),
        409,
        'conflict',
      )
      const { data } = await s.hydra.jwk.getJsonWebKeySet({ set: 'dup' })
      expect(data.keys!.map((k) => k.alg)).toEqual(['ES256'])
    })

    it('replaces a whole set with imported private and public keys, keeping their order', async () => {
      const s = await startServer(factory)
      await s.hydra.jwk.createJsonWebKeySet({ set: 'imp', createJsonWebKeySet: { alg: 'ES256', kid: 'old', use: 'sig' } })
      const rsa = (await generateKeyPair('PS256', { extractable: true, modulusLength: 2048 })).privateKey
      const keys = [
        await pair('ES256', 'first'),
        publicOf(await pair('EdDSA', 'second')),
        { ...((await exportJWK(rsa)) as JsonWebKey), kid: 'third', alg: 'PS256', use: 'sig' },
      ]
      const put = await s.hydra.jwk.setJsonWebKeySet({ set: 'imp', jsonWebKeySet: { keys } })
      expect(put.status).toBe(200)
      expect(put.data.keys).toEqual(keys)
      const { data } = await s.hydra.jwk.getJsonWebKeySet({ set: 'imp' })
      expect(data.keys).toEqual(keys)
      await expectSdkError(s.hydra.jwk.getJsonWebKey({ set: 'imp', kid: 'old' }), 404, 'not_found')
    })

    it('drops members it does not store from imported keys', async () => {
      const s = await startServer(factory)
      const key = { ...(await pair('ES256', 'x')), key_ops: ['sign'], ext: true, custom: 'v' } as JsonWebKey
      const { data } = await s.hydra.jwk.setJsonWebKey({ set: 'strip', kid: 'x', jsonWebKey: key })
      expect(Object.keys(data).sort()).toEqual(['alg', 'crv', 'd', 'kid', 'kty', 'use', 'x', 'y'])
    })

    it('upserts a single key: adds a new kid and replaces an existing one, which becomes the newest', async () => {
      const s = await startServer(factory)
      await s.hydra.jwk.createJsonWebKeySet({ set: 'up', createJsonWebKeySet: { alg: 'ES256', kid: 'a', use: 'sig' } })
      const b = await pair('ES512', 'b')
      const added = await s.hydra.jwk.setJsonWebKey({ set: 'up', kid: 'b', jsonWebKey: b })
      expect(added.status).toBe(200)
      expect(added.data).toEqual(b)
      const a2 = await pair('EdDSA', 'a', 'enc')
      const replaced = await s.hydra.jwk.setJsonWebKey({ set: 'up', kid: 'a', jsonWebKey: a2 })
      expect(replaced.data).toEqual(a2)
      const { data } = await s.hydra.jwk.getJsonWebKeySet({ set: 'up' })
      expect(data.keys!.map((k) => [k.kid, k.alg, k.use])).toEqual([
        ['a', 'EdDSA', 'enc'],
        ['b', 'ES512', 'sig'],
      ])
    })

    it('deletes single keys and whole sets (204), then 404s', async () => {
      const s = await startServer(factory)
      for (const kid of ['a', 'b']) {
        await s.hydra.jwk.createJsonWebKeySet({ set: 'del', createJsonWebKeySet: { alg: 'ES256', kid, use: 'sig' } })
      }
      expect((await s.hydra.jwk.deleteJsonWebKey({ set: 'del', kid: 'a' })).status).toBe(204)
      await expectSdkError(s.hydra.jwk.deleteJsonWebKey({ set: 'del', kid: 'a' }), 404, 'not_found')
      expect((await s.hydra.jwk.getJsonWebKeySet({ set: 'del' })).data.keys!.map((k) => k.kid)).toEqual(['b'])
      expect((await s.hydra.jwk.deleteJsonWebKeySet({ set: 'del' })).status).toBe(204)
      await expectSdkError(s.hydra.jwk.getJsonWebKeySet({ set: 'del' }), 404, 'not_found')
      await expectSdkError(s.hydra.jwk.deleteJsonWebKeySet({ set: 'del' }), 404, 'not_found')
    })

    it('serves the same routes without the /admin prefix', async () => {
      const s = await startServer(factory)
      await s.hydra.jwk.createJsonWebKeySet({ set: 'bare', createJsonWebKeySet: { alg: 'ES256', kid: 'k', use: 'sig' } })
      const res = await s.adminFetch('http://localhost/keys/bare/k')
      expect(res.status).toBe(200)
      expect(((await res.json()) as { keys: JWK[] }).keys[0]!.kid).toBe('k')
    })
  })
}
