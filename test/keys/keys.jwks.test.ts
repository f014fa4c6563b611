import { describe, expect, it } from 'bun:test'
import type { JWK } from 'jose'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET } from '../../src/protocol/services.ts'
import { startServer, storeFactories, type TestServer } from '../_harness.ts'
import { expectNoPrivateParts } from './_keys.ts'

async function jwks(s: TestServer) {
  const res = await s.publicFetch('http://localhost/.well-known/jwks.json')
  expect(res.status).toBe(200)
  return { res, keys: ((await res.json()) as { keys: JWK[] }).keys }
}

for (const factory of storeFactories()) {
  describe(`/.well-known/jwks.json (${factory.name})`, () => {
    it('publishes the public keys of both default sets, generated on first request', async () => {
      const s = await startServer(factory, { 'keys.algorithms.id_token': 'ES256', 'keys.algorithms.access_token': 'EdDSA' })
      const { res, keys } = await jwks(s)
      expect(res.headers.get('cache-control')).toBe('public, max-age=60')
      expect(res.headers.get('content-type')).toStartWith('application/json')
      const idKid = (await s.store.keys.listSet(ID_TOKEN_SET))[0]!.kid
      const atKid = (await s.store.keys.listSet(ACCESS_TOKEN_SET))[0]!.kid
      expect(keys).toHaveLength(2)
      expect(keys[0]).toMatchObject({ kid: idKid, alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' })
      expect(keys[1]).toMatchObject({ kid: atKid, alg: 'EdDSA', use: 'sig', kty: 'OKP', crv: 'Ed25519' })
      expectNoPrivateParts(keys)
    })

    it('never publishes private parts of RSA or imported keys', async () => {
      const s = await startServer(factory, { 'keys.rsa_modulus_length': 2048 })
      await s.hydra.jwk.createJsonWebKeySet({ set: ID_TOKEN_SET, createJsonWebKeySet: { alg: 'RS256', kid: 'rsa', use: 'sig' } })
      await s.hydra.jwk.createJsonWebKeySet({ set: ACCESS_TOKEN_SET, createJsonWebKeySet: { alg: 'ES512', kid: 'ec', use: 'enc' } })
      const { keys } = await jwks(s)
      expect(keys.map((k) => k.kid)).toEqual(['rsa', 'ec'])
      expect(Object.keys(keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use'])
      expect(Object.keys(keys[1]!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'])
      expectNoPrivateParts(keys)
    })

    it('publishes configured broadcast sets and nothing else, and follows admin changes at once', async () => {
      const s = await startServer(factory, { 'webfinger.jwks.broadcast_keys': ['partner.keys'] })
      await s.hydra.jwk.createJsonWebKeySet({ set: 'partner.keys', createJsonWebKeySet: { alg: 'ES256', kid: 'p1', use: 'sig' } })
      await s.hydra.jwk.createJsonWebKeySet({ set: 'hidden', createJsonWebKeySet: { alg: 'ES256', kid: 'h1', use: 'sig' } })
      let kids = (await jwks(s)).keys.map((k) => k.kid)
      expect(kids).toHaveLength(3)
      expect(kids).toContain('p1')
      expect(kids).not.toContain('h1')
      await s.hydra.jwk.createJsonWebKeySet({ set: 'partner.keys', createJsonWebKeySet: { alg: 'ES256', kid: 'p2', use: 'sig' } })
      kids = (await jwks(s)).keys.map((k) => k.kid)
      expect(kids.slice(-2)).toEqual(['p2', 'p1'])
      await s.hydra.jwk.deleteJsonWebKeySet({ set: 'partner.keys' })
      kids = (await jwks(s)).keys.map((k) => k.kid)
      expect(kids).not.toContain('p1')
      expect(kids).not.toContain('p2')
    })
  })
}
