import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PluginError } from '../../src/plugins/plugin_error.ts'
import {
  createMintClient,
  errorOf,
  introspect,
  issueCode,
  redeem,
  startServer,
  storeFactories,
  USERINFO_URL,
  verifyJwt,
} from '../_harness.ts'
import { startWithPlugins, token } from './_plugins.ts'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-claims-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const alice = { email: 'alice@example.com', email_verified: true, name: 'Alice', sub: 'mallory', groups: ['admins'] }

// A directory service: answers per subject, counting lookups; its status can be switched.
let lookups = 0
let status = 200
const directory = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req) {
    lookups++
    const url = new URL(req.url)
    if (req.headers.get('authorization') !== 'Bearer dir-key') return new Response(null, { status: 401 })
    if (status !== 200) return new Response('down', { status })
    const subject = url.pathname.split('/').pop()
    return subject === 'alice' ? Response.json(alice) : new Response(null, { status: 404 })
  },
})
afterAll(() => directory.stop(true))

for (const factory of storeFactories()) {
  describe(`claims-directory plugin (${factory.name})`, () => {
    const start = (options: Record<string, unknown>) =>
      startWithPlugins(factory, [], { plugins: [{ name: 'claims-directory', options }] })

    async function idTokenAndUserinfo(s: Awaited<ReturnType<typeof start>>, scope = ['openid', 'email', 'profile']) {
      const client = await createMintClient(s)
      const tokens = await redeem(s, client, await issueCode(s, client, { scope }))
      const userinfo = await (await s.publicFetch(USERINFO_URL, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json()
      return { tokens, id: await verifyJwt(s, tokens.id_token!), userinfo: userinfo as Record<string, unknown> }
    }

    it('adds a subject\'s claims from a JSON file to the ID token and userinfo; reserved claims are left out', async () => {
      const file = join(dir, `dir-${factory.name}.json`)
      writeFileSync(file, JSON.stringify({ alice }))
      const s = await start({ file })
      const { id, userinfo, tokens } = await idTokenAndUserinfo(s)
      expect(id).toMatchObject({ sub: 'alice', email: 'alice@example.com', name: 'Alice', groups: ['admins'] })
      expect(userinfo).toEqual({ sub: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice', groups: ['admins'] })
      expect((await introspect(s, tokens.access_token)).ext).toBeUndefined()
    })

    it('reads YAML, releases claims per granted scope and can add them to access tokens', async () => {
      const file = join(dir, `dir-${factory.name}.yaml`)
      writeFileSync(file, 'alice:\n  email: alice@example.com\n  email_verified: true\n  name: Alice\n')
      const s = await start({ file, access_token: true, scopes: { email: ['email', 'email_verified'], profile: ['name'] } })
      const { id, tokens } = await idTokenAndUserinfo(s, ['openid', 'email'])
      expect(id.email).toBe('alice@example.com')
      expect(id.name).toBeUndefined()
      expect((await introspect(s, tokens.access_token)).ext).toEqual({ email: 'alice@example.com', email_verified: true })
    })

    it('re-reads the file only after cache_ttl', async () => {
      const file = join(dir, `ttl-${factory.name}.json`)
      writeFileSync(file, JSON.stringify({ alice: { name: 'Alice' } }))
      const s = await start({ file, cache_ttl: 60 })
      expect((await idTokenAndUserinfo(s)).id.name).toBe('Alice')
      writeFileSync(file, JSON.stringify({ alice: { name: 'Alice Liddell' } }))
      expect((await idTokenAndUserinfo(s)).id.name).toBe('Alice')
      s.clock.advance(60_000)
      expect((await idTokenAndUserinfo(s)).id.name).toBe('Alice Liddell')
    })

    it('asks an HTTP endpoint, caches answers, tolerates unknown subjects and serves the cache when it fails', async () => {
      status = 200
      const url = `http://127.0.0.1:${directory.port}/claims/{subject}`
      const s = await start({ url, headers: { authorization: 'Bearer dir-key' }, cache_ttl: 30 })
      const before = lookups
      expect((await idTokenAndUserinfo(s)).userinfo.email).toBe('alice@example.com')
      expect((await idTokenAndUserinfo(s)).userinfo.email).toBe('alice@example.com')
      expect(lookups - before).toBe(1)

      const bob = await createMintClient(s)
      const tokens = await redeem(s, bob, await issueCode(s, bob, { session: { subject: 'bob' } }))
      expect((await verifyJwt(s, tokens.id_token!)).sub).toBe('bob')

      status = 503
      s.clock.advance(30_000)
      expect((await idTokenAndUserinfo(s)).userinfo.email).toBe('alice@example.com')
      expect(s.logs.some((l) => l.plugin === 'claims-directory' && l.level === 'warn')).toBe(true)
    })

    it('fails the token request with server_error when the endpoint fails and nothing is cached', async () => {
      status = 500
      const s = await start({ url: `http://127.0.0.1:${directory.port}/claims/{subject}`, headers: { authorization: 'Bearer dir-key' } })
      const client = await createMintClient(s)
      const code = await issueCode(s, client)
      const res = await token(s, { grant_type: 'authorization_code', code, redirect_uri: 'http://localhost/cb' }, client)
      expect(await errorOf(res)).toMatchObject({ status: 500, error: 'server_error' })
      expect(s.logs.some((l) => l.msg === 'plugin failed' && l.plugin === 'claims-directory')).toBe(true)
      status = 200
    })

    it('refuses to start without exactly one of file and url', async () => {
      for (const options of [{}, { file: 'x.json', url: 'http://127.0.0.1/' }]) {
        const err = await startServer(factory, { plugins: [{ name: 'claims-directory', options }] }).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(PluginError)
        expect((err as PluginError).problems).toEqual(['plugins.0 (plugin "claims-directory"): setup failed: set exactly one of the options file and url'])
      }
    })
  })
}
