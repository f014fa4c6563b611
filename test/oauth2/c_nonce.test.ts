import { describe, expect, it } from 'bun:test'
import { mintCNonce, spendCNonce } from '../../src/oauth2/c_nonce.ts'
import { OAuthError } from '../../src/protocol/errors.ts'
import { rows, startServer, storeFactories } from '../_harness.ts'

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** The same bytes spelled differently: the last character with its unused low bits changed. */
function respelled(nonce: string): string {
  const last = B64URL.indexOf(nonce.at(-1)!)
  return `${nonce.slice(0, -1)}${B64URL[last ^ 1]}`
}

async function hintOf(spend: Promise<void>): Promise<string> {
  const err = await spend.then(() => null, (e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect((err as OAuthError).error).toBe('invalid_request')
  return (err as OAuthError).hint ?? ''
}

for (const factory of storeFactories()) {
  describe(`c_nonce (${factory.name})`, () => {
    it('stores nothing until spent, then only a digest, and is spent once', async () => {
      const s = await startServer(factory)
      const { c_nonce, c_nonce_expires_in } = mintCNonce(s.ctx, 'grant-1')
      expect(c_nonce_expires_in).toBe(3600)
      expect(await rows(s, 'jti_blacklist')).toBe(0)
      await spendCNonce(s.ctx, 'grant-1', c_nonce)
      const stored = await s.store.driver.all<{ signature: string }>('SELECT signature FROM jti_blacklist')
      expect(stored).toHaveLength(1)
      expect(stored[0]!.signature).toMatch(/^[0-9a-f]{64}$/)
      expect(await hintOf(spendCNonce(s.ctx, 'grant-1', c_nonce))).toBe('The nonce has already been used.')
    })

    it('opens only for its grant, in its one spelling, before it expires', async () => {
      const s = await startServer(factory)
      const { c_nonce } = mintCNonce(s.ctx, 'grant-1')
      expect(Buffer.from(respelled(c_nonce), 'base64url')).toEqual(Buffer.from(c_nonce, 'base64url'))
      expect(await hintOf(spendCNonce(s.ctx, 'grant-2', c_nonce))).toBe('The nonce is invalid.')
      expect(await hintOf(spendCNonce(s.ctx, 'grant-1', respelled(c_nonce)))).toBe('The nonce is invalid.')
      s.clock.advance(3600_000)
      expect(await hintOf(spendCNonce(s.ctx, 'grant-1', c_nonce))).toBe('The nonce has expired.')
      expect(await rows(s, 'jti_blacklist')).toBe(0)
    })
  })
}
