import { describe, expect, it } from 'bun:test'
import type { JWK } from 'jose'
import { buildApp } from '../../src/app.ts'
import { createCore } from '../../src/context.ts'
import { ACCESS_TOKEN_SET } from '../../src/protocol/services.ts'
import {
  expectError,
  fetchOf,
  memoryLogger,
  startServer,
  storeFactories,
  TEST_SECRET,
  testConfig,
  type TestServer,
} from '../_harness.ts'
import { PRIVATE_MEMBERS } from './_keys.ts'

const NEW_SECRET = 'a-newer-system-secret-0123456789'
const UNRELATED_SECRET = 'an-unrelated-system-secret-98765'

/** A second node on the same store with other system secrets; its log lines are kept. */
function otherNode(s: TestServer, secrets: string[]) {
  const { logger, lines } = memoryLogger('info')
  const apps = buildApp({ core: createCore({ config: testConfig({ 'secrets.system': secrets }), store: s.store, clock: s.clock, logger }) })
  return { ...apps, lines, adminFetch: fetchOf(apps.adminApp), publicFetch: fetchOf(apps.publicApp) }
}

const getSet = async (fetcher: typeof fetch, set: string) => {
  const res = await fetcher(`http://localhost/admin/keys/${set}`)
  return { res, text: await res.text() }
}

for (const factory of storeFactories()) {
  describe(`keys at rest (${factory.name})`, () => {
    it('stores no key material in the clear', async () => {
      const s = await startServer(factory, { 'keys.rsa_modulus_length': 2048 })
      const created: JWK[] = []
      for (const alg of ['RS256', 'ES256', 'EdDSA']) {
        const { data } = await s.hydra.jwk.createJsonWebKeySet({ set: 'rest', createJsonWebKeySet: { alg, kid: alg, use: 'sig' } })
        created.push(data.keys![0]! as JWK)
      }
      const rows = await s.store.driver.all('SELECT * FROM jwks')
      expect(rows).toHaveLength(3)
      const raw = JSON.stringify(rows)
      for (const jwk of created) {
        for (const m of [...PRIVATE_MEMBERS, 'x', 'y', 'n'] as const) {
          const value = jwk[m]
          if (typeof value === 'string') expect(raw).not.toContain(value)
        }
      }
      for (const row of rows) expect(() => JSON.parse(row.keydata as string)).toThrow()
    })

    it('still opens and signs after a secret rotation (secrets.system = [new, old])', async () => {
      const s = await startServer(factory)
      const before = await s.ctx.keys.signingKey(ACCESS_TOKEN_SET)
      const oldSet = await getSet(s.adminFetch, ACCESS_TOKEN_SET)
      const rotated = otherNode(s, [NEW_SECRET, TEST_SECRET])
      const after = await rotated.ctx.keys.signingKey(ACCESS_TOKEN_SET)
      expect(after.kid).toBe(before.kid)
      expect(await getSet(rotated.adminFetch, ACCESS_TOKEN_SET)).toMatchObject({ text: oldSet.text })

      // Keys added after the rotation are sealed with the new secret: the old one alone cannot open them.
      await rotated.adminFetch(
        `http://localhost/admin/keys/${ACCESS_TOKEN_SET}`,
        { method: 'POST', body: JSON.stringify({ alg: 'ES256', kid: 'after-rotation', use: 'sig' }) },
      )
      expect((await rotated.ctx.keys.signingKey(ACCESS_TOKEN_SET)).kid).toBe('after-rotation')
      const oldOnly = otherNode(s, [TEST_SECRET])
      await expectError(await oldOnly.adminFetch(`http://localhost/admin/keys/${ACCESS_TOKEN_SET}/after-rotation`), 500, 'server_error')
      expect((await getSet(oldOnly.adminFetch, `${ACCESS_TOKEN_SET}/${before.kid}`)).res.status).toBe(200)
    })

    it('fails closed, leaking nothing, when no configured secret opens the keys', async () => {
      const s = await startServer(factory)
      await s.ctx.keys.ensureDefaultSets()
      const { text: original } = await getSet(s.adminFetch, ACCESS_TOKEN_SET)
      const jwk = (JSON.parse(original) as { keys: JWK[] }).keys[0]!
      const broken = otherNode(s, [UNRELATED_SECRET])

      const { res, text } = await getSet(broken.adminFetch, ACCESS_TOKEN_SET)
      expect(res.status).toBe(500)
      expect(JSON.parse(text).error).toBe('server_error')
      await expectError(await broken.publicFetch('http://localhost/.well-known/jwks.json'), 500, 'server_error')
      await expect(broken.ctx.keys.signingKey(ACCESS_TOKEN_SET)).rejects.toThrow('cannot be decrypted with any of secrets.system')
      await expect(broken.ctx.keys.ensureDefaultSets()).rejects.toThrow('cannot be decrypted with any of secrets.system')
      for (const value of [jwk.d!, jwk.x!, jwk.y!]) {
        expect(text).not.toContain(value)
        expect(broken.lines.join('\n')).not.toContain(value)
      }
      expect(broken.lines.join('\n')).toContain(`key ${jwk.kid} of set ${ACCESS_TOKEN_SET} cannot be decrypted`)
      // Nothing was regenerated over the unreadable set.
      expect(await s.store.keys.listSet(ACCESS_TOKEN_SET)).toHaveLength(1)
    })

    it('binds sealed keys to their set and kid', async () => {
      const s = await startServer(factory)
      await s.hydra.jwk.createJsonWebKeySet({ set: 'bound', createJsonWebKeySet: { alg: 'ES256', kid: 'k', use: 'sig' } })
      const row = (await s.store.keys.get('bound', 'k'))!
      await s.store.keys.add({ ...row, set_id: 'moved' })
      await s.store.keys.add({ ...row, kid: 'renamed' })
      await expectError(await s.adminFetch('http://localhost/admin/keys/moved/k'), 500, 'server_error')
      await expectError(await s.adminFetch('http://localhost/admin/keys/bound/renamed'), 500, 'server_error')
      expect((await s.adminFetch('http://localhost/admin/keys/bound/k')).status).toBe(200)
    })
  })
}
