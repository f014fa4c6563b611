import { describe, expect, it } from 'bun:test'
import { pbkdf2Sync } from 'node:crypto'
import { compareSecret, generateSecret, hashSecret } from '../../src/clients/secret_hash.ts'
import { sealedSecretAad } from '../../src/clients/sealed_secret.ts'
import { admin, createClient, expectError, startServer, storeFactories } from '../_harness.ts'

const PBKDF2 = { algorithm: 'pbkdf2', pbkdf2: { iterations: 1000 }, bcrypt: { cost: 4 } } as const
const BCRYPT = { ...PBKDF2, algorithm: 'bcrypt' } as const
const rawStd = (b: Buffer) => b.toString('base64').replace(/=+$/, '')

describe('client secret hashing', () => {
  it('writes PBKDF2-SHA256 in Hydra’s format with unpadded standard base64', async () => {
    const hash = await hashSecret('s3cret-value', PBKDF2)
    const m = /^\$pbkdf2-sha256\$i=1000,l=32\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(hash)!
    expect(m).not.toBeNull()
    const salt = Buffer.from(m[1]!, 'base64')
    expect(salt.length).toBe(16)
    expect(m[2]).toBe(rawStd(pbkdf2Sync('s3cret-value', salt, 1000, 32, 'sha256')))
    expect(await compareSecret('s3cret-value', hash)).toBe(true)
    expect(await compareSecret('s3cret-valuf', hash)).toBe(false)
  })

  it('verifies hashes written elsewhere in Hydra’s format, whatever the iterations and digest', async () => {
    const salt = Buffer.from('0123456789abcdef')
    const key = pbkdf2Sync('from-hydra', salt, 25000, 32, 'sha256')
    expect(await compareSecret('from-hydra', `$pbkdf2-sha256$i=25000,l=32$${rawStd(salt)}$${rawStd(key)}`)).toBe(true)
    const key512 = pbkdf2Sync('from-hydra', salt, 10, 64, 'sha512')
    expect(await compareSecret('from-hydra', `$pbkdf2-sha512$i=10,l=64$${rawStd(salt)}$${rawStd(key512)}`)).toBe(true)
    expect(await compareSecret('from-hydra', `$pbkdf2-sha256$i=25000,l=16$${rawStd(salt)}$${rawStd(key)}`)).toBe(false)
  })

  it('hashes with bcrypt when selected and verifies both kinds by prefix', async () => {
    const bcrypt = await hashSecret('bcrypt-secret', BCRYPT)
    expect(bcrypt).toMatch(/^\$2[aby]\$04\$/)
    expect(await compareSecret('bcrypt-secret', bcrypt)).toBe(true)
    expect(await compareSecret('bcrypt-secreT', bcrypt)).toBe(false)
    expect(await compareSecret('x'.repeat(73), bcrypt)).toBe(false)
    expect(await compareSecret('pbkdf2-secret', await hashSecret('pbkdf2-secret', PBKDF2))).toBe(true)
  })

  it('never matches malformed or unknown hashes', async () => {
    for (const hash of ['', 'plain', '$pbkdf2-sha256$i=0,l=32$AAAA$AAAA', '$pbkdf2-md5$i=1,l=32$AAAA$AAAA', '$2b$garbage', '$argon2id$v=19$m=1,t=1,p=1$AA$AA']) {
      expect(await compareSecret('anything', hash)).toBe(false)
    }
  })

  it('generates 26 URL-safe characters from a CSPRNG', () => {
    const secrets = new Set(Array.from({ length: 100 }, generateSecret))
    expect(secrets.size).toBe(100)
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9_-]{26}$/)
  })
})

for (const factory of storeFactories()) {
  describe(`client secrets over the admin API (${factory.name})`, () => {
    it('stores bcrypt hashes when configured, still verifies PBKDF2 ones and refuses over-long secrets', async () => {
      const s = await startServer(factory, { 'oauth2.hashers.algorithm': 'bcrypt', 'oauth2.hashers.bcrypt.cost': 4 })
      const c = await createClient(s, { client_id: 'b' }, { raw: true })
      expect((await s.store.clients.get('b'))!.secret_hash).toMatch(/^\$2[aby]\$04\$/)
      const legacy = await hashSecret('legacy-secret', PBKDF2)
      await s.store.clients.update({ ...(await s.store.clients.get('b'))!, secret_hash: legacy })
      s.ctx.clients.invalidate('b')
      const record = (await s.ctx.clients.get('b'))!
      expect(await s.ctx.clients.verifySecret(record, 'legacy-secret')).toBe(true)
      expect(await s.ctx.clients.verifySecret(record, c.client_secret!)).toBe(false)
      const res = await admin(s, 'POST', '/admin/clients', { client_secret: 'x'.repeat(73) })
      await expectError(res, 400, 'invalid_client_metadata', /72 bytes/)
    })

    it('rotates secrets keeping the five previous ones valid, and drops them on request', async () => {
      const s = await startServer(factory)
      const first = (await createClient(s, { client_id: 'r', client_secret: 'original-secret' }, { raw: true })).client_secret!
      const secrets = [first]
      for (let i = 0; i < 6; i++) {
        const res = await admin(s, 'POST', '/admin/clients/r/secrets/rotate')
        expect(res.status).toBe(200)
        const body = (await res.json()) as { client_id: string; client_secret: string }
        expect(body.client_id).toBe('r')
        expect(body.client_secret).toMatch(/^[A-Za-z0-9_-]{26}$/)
        secrets.push(body.client_secret)
      }
      expect((await s.store.clients.get('r'))!.rotated_secrets).toHaveLength(5)
      let record = (await s.ctx.clients.get('r'))!
      expect(await s.ctx.clients.verifySecret(record, first)).toBe(false)
      for (const secret of secrets.slice(1)) expect(await s.ctx.clients.verifySecret(record, secret)).toBe(true)
      expect((await (await admin(s, 'GET', '/admin/clients/r')).json()) as object).not.toHaveProperty('client_secret')

      const del = await admin(s, 'DELETE', '/admin/clients/r/secrets/rotate')
      expect(del.status).toBe(204)
      record = (await s.ctx.clients.get('r'))!
      expect(await s.ctx.clients.verifySecret(record, secrets[6]!)).toBe(true)
      for (const secret of secrets.slice(1, 6)) expect(await s.ctx.clients.verifySecret(record, secret)).toBe(false)
    })

    it('rotates only client_secret_basic and client_secret_post clients', async () => {
      const s = await startServer(factory)
      await createClient(s, { client_id: 'pub', token_endpoint_auth_method: 'none' }, { raw: true })
      await createClient(s, { client_id: 'jwt', token_endpoint_auth_method: 'client_secret_jwt' }, { raw: true })
      await createClient(s, { client_id: 'post', token_endpoint_auth_method: 'client_secret_post' }, { raw: true })
      for (const id of ['pub', 'jwt']) {
        await expectError(await admin(s, 'POST', `/admin/clients/${id}/secrets/rotate`), 400, 'invalid_request', /rotation/)
      }
      expect((await admin(s, 'POST', '/admin/clients/post/secrets/rotate')).status).toBe(200)
      await expectError(await admin(s, 'POST', '/admin/clients/none/secrets/rotate'), 404, 'not_found')
      await expectError(await admin(s, 'DELETE', '/admin/clients/none/secrets/rotate'), 404, 'not_found')
    })

    it('keeps the plaintext sealed only for client_secret_jwt clients', async () => {
      const s = await startServer(factory)
      const jwt = await createClient(s, { client_id: 'j', token_endpoint_auth_method: 'client_secret_jwt' }, { raw: true })
      const sealed = (await s.store.clients.get('j'))!.secret_sealed!
      expect(s.ctx.sealer.open(sealed, sealedSecretAad('j'))).toBe(jwt.client_secret!)
      expect((await s.ctx.clients.get('j'))!.secret_sealed).toBe(sealed)

      await createClient(s, { client_id: 'basic' }, { raw: true })
      expect((await s.store.clients.get('basic'))!.secret_sealed).toBeNull()
      // Switching to client_secret_jwt needs the plaintext, so a new secret is issued and returned.
      const switched = await admin(s, 'PUT', '/admin/clients/basic', { token_endpoint_auth_method: 'client_secret_jwt' })
      const secret = ((await switched.json()) as { client_secret: string }).client_secret
      expect(secret).toMatch(/^[A-Za-z0-9_-]{26}$/)
      expect(s.ctx.sealer.open((await s.store.clients.get('basic'))!.secret_sealed!, sealedSecretAad('basic'))).toBe(secret)
      const kept = await admin(s, 'PUT', '/admin/clients/basic', { token_endpoint_auth_method: 'client_secret_jwt', client_name: 'n' })
      expect(await kept.json()).not.toHaveProperty('client_secret')
      expect(s.ctx.sealer.open((await s.store.clients.get('basic'))!.secret_sealed!, sealedSecretAad('basic'))).toBe(secret)
      await admin(s, 'PUT', '/admin/clients/basic', { token_endpoint_auth_method: 'client_secret_post' })
      expect((await s.store.clients.get('basic'))!.secret_sealed).toBeNull()
    })
  })
}
