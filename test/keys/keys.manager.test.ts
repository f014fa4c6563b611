import { describe, expect, it } from 'bun:test'
import type { JsonWebKey } from '@ory/hydra-client'
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { sealKey } from '../../src/keys/key_set.ts'
import { KEY_CACHE_TTL_MS } from '../../src/keys/manager.ts'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET } from '../../src/protocol/services.ts'
import { startServer, storeFactories, type TestServer } from '../_harness.ts'

async function signAndVerify(s: TestServer, set: string) {
  const { kid, alg, key } = await s.ctx.keys.signingKey(set)
  const jwt = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg, kid }).sign(key)
  const { protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(await s.ctx.keys.publicJwks()))
  return protectedHeader
}

const kidsOf = async (s: TestServer, set: string) => (await s.store.keys.listSet(set)).map((r) => r.kid)

for (const factory of storeFactories()) {
  describe(`key manager (${factory.name})`, () => {
    it('creates both default sets with the configured algorithms, once', async () => {
      const s = await startServer(factory, {
        'keys.algorithms.id_token': 'RS256',
        'keys.algorithms.access_token': 'EdDSA',
        'keys.rsa_modulus_length': 2048,
      })
      await s.ctx.keys.ensureDefaultSets()
      await s.ctx.keys.ensureDefaultSets()
      const idKey = await s.ctx.keys.signingKey(ID_TOKEN_SET)
      expect(idKey.alg).toBe('RS256')
      expect((idKey.key.algorithm as { modulusLength?: number }).modulusLength).toBe(2048)
      expect((await s.ctx.keys.signingKey(ACCESS_TOKEN_SET)).alg).toBe('EdDSA')
      expect(await kidsOf(s, ID_TOKEN_SET)).toHaveLength(1)
      expect(await kidsOf(s, ACCESS_TOKEN_SET)).toHaveLength(1)
      expect((await signAndVerify(s, ID_TOKEN_SET)).kid).toBe(idKey.kid)
    })

    it('generates a missing set on first use, once for any number of concurrent callers', async () => {
      const s = await startServer(factory, { 'keys.algorithms.access_token': 'ES512' })
      const results = await Promise.all([
        s.ctx.keys.signingKey(ACCESS_TOKEN_SET),
        s.ctx.keys.publicJwks(),
        s.ctx.keys.signingKey(ACCESS_TOKEN_SET),
        s.ctx.keys.signingKey('custom.set'),
        s.ctx.keys.signingKey('custom.set'),
        s.ctx.keys.publicJwks(),
        s.ctx.keys.ensureDefaultSets(),
        s.ctx.keys.ensureDefaultSets(),
      ])
      const kids = await kidsOf(s, ACCESS_TOKEN_SET)
      expect(kids).toHaveLength(1)
      expect(await kidsOf(s, 'custom.set')).toHaveLength(1)
      expect(await kidsOf(s, ID_TOKEN_SET)).toHaveLength(1)
      expect(results[0]).toMatchObject({ kid: kids[0], alg: 'ES512' })
      expect(results[3]).toMatchObject({ alg: 'ES512' })
    })

    it('signs with the newest private sig key and switches at once after an admin change', async () => {
      const s = await startServer(factory)
      const first = await s.ctx.keys.signingKey(ID_TOKEN_SET)
      await s.hydra.jwk.createJsonWebKeySet({ set: ID_TOKEN_SET, createJsonWebKeySet: { alg: 'EdDSA', kid: 'new', use: 'sig' } })
      expect(await s.ctx.keys.signingKey(ID_TOKEN_SET)).toMatchObject({ kid: 'new', alg: 'EdDSA' })
      expect((await signAndVerify(s, ID_TOKEN_SET)).kid).toBe('new')
      const published = (await s.ctx.keys.publicJwks()).keys.map((k) => k.kid)
      expect(published).toContain(first.kid)
      expect(published).toContain('new')
      await s.hydra.jwk.deleteJsonWebKey({ set: ID_TOKEN_SET, kid: 'new' })
      expect((await s.ctx.keys.signingKey(ID_TOKEN_SET)).kid).toBe(first.kid)
    })

    it('skips enc keys and public keys when choosing the signing key, and fails without one', async () => {
      const s = await startServer(factory)
      const mk = async (kid: string, use: string, priv: boolean): Promise<JsonWebKey> => {
        const pair = await generateKeyPair('ES256', { extractable: true })
        return { ...(await exportJWK(priv ? pair.privateKey : pair.publicKey)), kid, alg: 'ES256', use } as JsonWebKey
      }
      const signer = await mk('signer', 'sig', true)
      await s.hydra.jwk.setJsonWebKeySet({ set: 'mixed', jsonWebKeySet: { keys: [await mk('enc', 'enc', true), await mk('pub', 'sig', false), signer] } })
      expect((await s.ctx.keys.signingKey('mixed')).kid).toBe('signer')
      await s.hydra.jwk.setJsonWebKeySet({ set: 'mixed', jsonWebKeySet: { keys: [await mk('pub', 'sig', false)] } })
      await expect(s.ctx.keys.signingKey('mixed')).rejects.toThrow('key set mixed has no private signing key')
    })

    it('caches per node and notices changes made elsewhere once the cache expires', async () => {
      const s = await startServer(factory)
      const before = await s.ctx.keys.signingKey(ACCESS_TOKEN_SET)
      const jwksBefore = await s.ctx.keys.publicJwks()
      const pair = await generateKeyPair('ES256', { extractable: true })
      const jwk = { ...(await exportJWK(pair.privateKey)), kid: 'from-elsewhere', alg: 'ES256', use: 'sig' }
      // Another node wrote the key: this node's caches do not know yet.
      s.clock.advance(1)
      await s.store.keys.add(sealKey(s.ctx.sealer, ACCESS_TOKEN_SET, jwk, s.clock()))
      expect((await s.ctx.keys.signingKey(ACCESS_TOKEN_SET)).kid).toBe(before.kid)
      expect(await s.ctx.keys.publicJwks()).toBe(jwksBefore)
      s.clock.advance(KEY_CACHE_TTL_MS)
      expect((await s.ctx.keys.signingKey(ACCESS_TOKEN_SET)).kid).toBe('from-elsewhere')
      expect((await s.ctx.keys.publicJwks()).keys.map((k) => k.kid)).toContain('from-elsewhere')
    })
  })
}
