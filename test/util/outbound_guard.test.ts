import { afterAll, describe, expect, it } from 'bun:test'
import { generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { OAuthError } from '../../src/protocol/errors.ts'
import { JwksCache } from '../../src/oauth2/jwks_cache.ts'
import { manualClock } from '../../src/util/clock.ts'
import { assertOutboundAllowed, isPrivateAddress } from '../../src/util/outbound_guard.ts'

describe('private address detection', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['::1', true],
    ['::', true],
    ['fc00::1', true],
    ['fd12:3456::1', true],
    ['fe80::1', true],
    ['ff02::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['2001:4860:4860::8888', false],
    ['not-an-ip', true],
  ])('%s → %p', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected)
  })
})

describe('outbound guard', () => {
  const on = { disallow_private_ip_ranges: true, private_ip_exception_urls: ['http://127.0.0.1:9/allowed'] }

  it('refuses private hosts when enabled, naming the host and address', async () => {
    await expect(assertOutboundAllowed(on, 'http://127.0.0.1:9/jwks')).rejects.toThrow(/127\.0\.0\.1.*private address/)
    await expect(assertOutboundAllowed(on, 'http://[::1]:9/jwks')).rejects.toThrow(/::1/)
    await expect(assertOutboundAllowed(on, 'http://localhost:9/jwks')).rejects.toThrow(/private address/)
  })

  it('allows public addresses, exception URLs, and everything when disabled', async () => {
    await assertOutboundAllowed(on, 'https://8.8.8.8/jwks')
    await assertOutboundAllowed(on, 'http://127.0.0.1:9/allowed')
    await assertOutboundAllowed({ disallow_private_ip_ranges: false, private_ip_exception_urls: [] }, 'http://127.0.0.1:9/x')
  })

  describe('on jwks_uri fetches', () => {
    let hits = 0
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () => {
        hits++
        return Response.json({ keys: [] })
      },
    })
    afterAll(() => {
      void server.stop(true)
    })

    it('answers invalid_client without contacting a private jwks_uri', async () => {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true })
      const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k' }).sign(privateKey)
      const cache = new JwksCache(manualClock(), { outbound: { disallow_private_ip_ranges: true, private_ip_exception_urls: [] } })
      const err = await jwtVerify(jwt, cache.resolver(`http://127.0.0.1:${server.port}/jwks`)).then(
        () => null,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(OAuthError)
      expect([(err as OAuthError).status, (err as OAuthError).error]).toEqual([401, 'invalid_client'])
      expect((err as OAuthError).debug).toMatch(/private address/)
      expect(hits).toBe(0)
    })
  })
})
