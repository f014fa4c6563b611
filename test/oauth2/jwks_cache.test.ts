import { afterAll, describe, expect, it } from 'bun:test'
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose'
import { JwksCache } from '../../src/oauth2/jwks_cache.ts'
import { manualClock } from '../../src/util/clock.ts'
import { rejectionOf } from '../_harness.ts'

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } as JWK }
}

const sign = (key: Awaited<ReturnType<typeof keyPair>>) =>
  new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.privateKey)

/** A JWKS server on 127.0.0.1 whose answer each test sets. */
let respond: () => Response | Promise<Response> = () => new Response('not set', { status: 500 })
let hits = 0
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch() {
    hits++
    return respond()
  },
})
afterAll(() => {
  void server.stop(true)
})
let path = 0
const uri = () => `http://127.0.0.1:${server.port}/jwks/${path++}`
const serveKeys = (...keys: JWK[]) => {
  respond = () => Response.json({ keys })
}

describe('jwks cache', () => {
  it('fetches a set once and serves it from memory until the ttl passes', async () => {
    const key = await keyPair('a')
    serveKeys(key.jwk)
    const clock = manualClock()
    const cache = new JwksCache(clock, { ttlMs: 60_000 })
    const u = uri()
    hits = 0
    await jwtVerify(await sign(key), cache.resolver(u))
    await jwtVerify(await sign(key), cache.resolver(u))
    expect(hits).toBe(1)
    clock.advance(60_000)
    await jwtVerify(await sign(key), cache.resolver(u))
    expect(hits).toBe(2)
  })

  it('shares one fetch between concurrent loads', async () => {
    const key = await keyPair('a')
    serveKeys(key.jwk)
    const cache = new JwksCache(manualClock())
    const u = uri()
    hits = 0
    const jwt = await sign(key)
    await Promise.all([1, 2, 3, 4].map(() => jwtVerify(jwt, cache.resolver(u))))
    expect(hits).toBe(1)
  })

  it('refetches on an unknown kid at most once per interval', async () => {
    const a = await keyPair('a')
    const b = await keyPair('b')
    serveKeys(a.jwk)
    const clock = manualClock()
    const cache = new JwksCache(clock, { ttlMs: 3_600_000, refetchIntervalMs: 30_000 })
    const u = uri()
    hits = 0
    await jwtVerify(await sign(a), cache.resolver(u))
    serveKeys(a.jwk, b.jwk)
    // Within the interval a kid miss does not reach the client's server.
    clock.advance(10_000)
    await expect(jwtVerify(await sign(b), cache.resolver(u))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' })
    expect(hits).toBe(1)
    clock.advance(20_000)
    await jwtVerify(await sign(b), cache.resolver(u))
    expect(hits).toBe(2)
    // A kid that is still unknown right after the refetch does not fetch again.
    const c = await keyPair('c')
    await expect(jwtVerify(await sign(c), cache.resolver(u))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' })
    expect(hits).toBe(2)
  })

  it('rejects an answer other than 200 with invalid_client', async () => {
    const key = await keyPair('a')
    respond = () => Response.json({ keys: [key.jwk] }, { status: 503 })
    const err = await rejectionOf(jwtVerify(await sign(key), new JwksCache(manualClock()).resolver(uri())))
    expect([err.status, err.error, err.debug]).toEqual([401, 'invalid_client', 'jwks_uri answered 503'])
  })

  it('rejects a body that is not a key set', async () => {
    const key = await keyPair('a')
    for (const body of ['not json', '{"keys":"x"}', '[]', '{"keys":[1]}']) {
      respond = () => new Response(body, { headers: { 'content-type': 'application/json' } })
      const err = await rejectionOf(jwtVerify(await sign(key), new JwksCache(manualClock()).resolver(uri())))
      expect([err.status, err.error]).toEqual([401, 'invalid_client'])
    }
  })

  it('rejects a body above the size limit, announced or streamed', async () => {
    const key = await keyPair('a')
    const big = JSON.stringify({ keys: [key.jwk], padding: 'x'.repeat(4096) })
    respond = () => new Response(big, { headers: { 'content-type': 'application/json' } })
    let err = await rejectionOf(jwtVerify(await sign(key), new JwksCache(manualClock(), { maxBytes: 1024 }).resolver(uri())))
    expect([err.status, err.error, err.debug]).toEqual([401, 'invalid_client', 'jwks_uri response is too large'])
    respond = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new TextEncoder().encode(big))
            controller.close()
          },
        }),
      )
    err = await rejectionOf(jwtVerify(await sign(key), new JwksCache(manualClock(), { maxBytes: 1024 }).resolver(uri())))
    expect(err.debug).toBe('jwks_uri response is too large')
  })

  it('gives up on a server that does not answer', async () => {
    const key = await keyPair('a')
    const { promise: answer, resolve } = Promise.withResolvers<Response>()
    respond = () => answer
    const err = await rejectionOf(jwtVerify(await sign(key), new JwksCache(manualClock(), { timeoutMs: 50 }).resolver(uri())))
    resolve(Response.json({ keys: [key.jwk] }))
    expect([err.status, err.error, err.debug]).toEqual([401, 'invalid_client', 'jwks_uri timed out'])
  })

  it('rejects a jwks_uri that is not an http(s) URL', async () => {
    const key = await keyPair('a')
    for (const u of ['not a url', 'file:///etc/passwd']) {
      const err = await rejectionOf(jwtVerify(await sign(key), new JwksCache(manualClock()).resolver(u)))
      expect([err.status, err.error]).toEqual([401, 'invalid_client'])
    }
  })
})
