import { describe, expect, it } from 'bun:test'
import { CachedClientDirectory } from '../../src/clients/directory.ts'
import { compareSecret } from '../../src/clients/secret_hash.ts'
import { admin, createClient, startServer, storeFactories, type TestServer } from '../_harness.ts'

const directoryOf = (s: TestServer) => {
  if (!(s.ctx.clients instanceof CachedClientDirectory)) throw new Error('expected the cached directory')
  return s.ctx.clients
}

/** Looks the client up and checks the secret; returns how many full hash comparisons that cost. */
async function hashesFor(s: TestServer, id: string, secret: string, expected = true): Promise<number> {
  const dir = directoryOf(s)
  const before = dir.stats.hashComparisons
  const record = (await dir.get(id))!
  expect(await dir.verifySecret(record, secret)).toBe(expected)
  return dir.stats.hashComparisons - before
}

for (const factory of storeFactories()) {
  describe(`client directory cache (${factory.name})`, () => {
    it('serves lookups from memory for a few seconds', async () => {
      const s = await startServer(factory)
      await createClient(s, { client_id: 'c' }, { raw: true })
      const dir = directoryOf(s)
      const reads = dir.stats.storeReads
      const a = await dir.get('c')
      const b = await dir.get('c')
      expect(b).toBe(a)
      expect(dir.stats.storeReads - reads).toBe(1)
      expect(Object.isFrozen(a!.client.redirect_uris)).toBe(true)
      s.clock.advance(5_000)
      await dir.get('c')
      expect(dir.stats.storeReads - reads).toBe(2)
      expect(await dir.get('missing')).toBeNull()
    })

    it('skips the hash for a recently verified secret but never caches failures', async () => {
      const s = await startServer(factory)
      const { client_secret } = await createClient(s, { client_id: 'c' }, { raw: true })
      expect(await hashesFor(s, 'c', client_secret!)).toBe(1)
      expect(await hashesFor(s, 'c', client_secret!)).toBe(0)
      expect(await hashesFor(s, 'c', 'wrong-secret', false)).toBe(1)
      expect(await hashesFor(s, 'c', 'wrong-secret', false)).toBe(1)
      s.clock.advance(59_000)
      expect(await hashesFor(s, 'c', client_secret!)).toBe(0)
      s.clock.advance(1_000)
      expect(await hashesFor(s, 'c', client_secret!)).toBe(1)
    })

    it('shares one hash computation between concurrent checks of the same secret', async () => {
      const s = await startServer(factory)
      const { client_secret } = await createClient(s, { client_id: 'c' }, { raw: true })
      const dir = directoryOf(s)
      const record = (await dir.get('c'))!
      const results = await Promise.all(Array.from({ length: 8 }, () => dir.verifySecret(record, client_secret!)))
      expect(results).toEqual(Array(8).fill(true))
      expect(dir.stats.hashComparisons).toBe(1)
    })

    it('forgets lookups and verified secrets when the client changes', async () => {
      const s = await startServer(factory)
      const { client_secret } = await createClient(s, { client_id: 'c', client_name: 'a' }, { raw: true })
      const writes: [string, () => Promise<Response>][] = [
        ['PUT', () => admin(s, 'PUT', '/admin/clients/c', { client_name: 'b' })],
        ['PATCH', () => admin(s, 'PATCH', '/admin/clients/c', [{ op: 'replace', path: '/client_name', value: 'c' }])],
        ['lifespans', () => admin(s, 'PUT', '/admin/clients/c/lifespans', { implicit_grant_access_token_lifespan: '1h' })],
        ['DELETE rotate', () => admin(s, 'DELETE', '/admin/clients/c/secrets/rotate')],
      ]
      for (const [name, write] of writes) {
        expect(await hashesFor(s, 'c', client_secret!)).toBe(name === 'PUT' ? 1 : 0)
        expect(await hashesFor(s, 'c', client_secret!)).toBe(0)
        expect({ name, status: (await write()).status }).toEqual({ name, status: name === 'DELETE rotate' ? 204 : 200 })
        expect({ name, hashes: await hashesFor(s, 'c', client_secret!) }).toEqual({ name, hashes: 1 })
      }
      const names = []
      for (const [, write] of writes.slice(0, 2)) {
        await write()
        names.push((await directoryOf(s).get('c'))!.client.client_name)
      }
      expect(names).toEqual(['b', 'c'])

      const rotated = (await (await admin(s, 'POST', '/admin/clients/c/secrets/rotate')).json()) as { client_secret: string }
      expect(await hashesFor(s, 'c', rotated.client_secret)).toBe(1)
      // The old secret is now a rotated one: it still verifies, but pays a hash again after the rotation.
      expect(await hashesFor(s, 'c', client_secret!)).toBe(2)

      expect((await admin(s, 'DELETE', '/admin/clients/c')).status).toBe(204)
      expect(await directoryOf(s).get('c')).toBeNull()
    })

    it('takes an injected comparison and keeps each cache bounded', async () => {
      const s = await startServer(factory)
      const calls: string[] = []
      const dir = new CachedClientDirectory(s.store, s.clock, {
        maxEntries: 2,
        compare: (secret, hash) => {
          calls.push(secret)
          return compareSecret(secret, hash)
        },
      })
      const secrets: Record<string, string> = {}
      for (const id of ['a', 'b', 'c']) secrets[id] = (await createClient(s, { client_id: id }, { raw: true })).client_secret!
      for (const id of ['a', 'b', 'c']) expect(await dir.verifySecret((await dir.get(id))!, secrets[id]!)).toBe(true)
      expect(calls).toHaveLength(3)
      expect(await dir.verifySecret((await dir.get('c'))!, secrets.c!)).toBe(true)
      expect(calls).toHaveLength(3)
      // 'a' was evicted by the bound of two entries, so it costs a comparison again.
      expect(await dir.verifySecret((await dir.get('a'))!, secrets.a!)).toBe(true)
      expect(calls).toHaveLength(4)
      expect(dir.stats.storeReads).toBe(4)
    })
  })
}
