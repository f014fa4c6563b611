import { describe, expect, it } from 'bun:test'
import type { AppContext } from '../../../src/context.ts'
import { Sealer } from '../../../src/crypto/aead.ts'
import { openSession, sealSession, type TokenSession } from '../../../src/oauth2/tokens/session.ts'

const session = (scope: string): TokenSession => ({
  grant_type: 'client_credentials',
  format: 'opaque',
  ext: { tier: { name: 'gold' } },
  requested_scope: [scope],
  requested_audience: [],
  extra: {},
})

function contextWith(secret: string) {
  const sealer = new Sealer([secret])
  let opens = 0
  const open = sealer.open.bind(sealer)
  sealer.open = (sealed: string, aad?: string) => {
    opens++
    return open(sealed, aad)
  }
  const warnings: string[] = []
  const logger = { warn: (msg: string) => warnings.push(msg) }
  return { ctx: { sealer, logger } as unknown as AppContext, opens: () => opens, warnings }
}

describe('openSession', () => {
  it('decrypts a row\'s session once and hands the same frozen object to later lookups', () => {
    const { ctx, opens } = contextWith('secret-one-0123456789abcdef')
    const sealed = sealSession(ctx, 'access_token', 'sig-1', session('read'))
    const first = openSession(ctx, 'access_token', 'sig-1', sealed)
    const again = openSession(ctx, 'access_token', 'sig-1', sealed)
    expect(first).toEqual(session('read'))
    expect(again).toBe(first)
    expect(opens()).toBe(1)
    expect(Object.isFrozen(first!.ext.tier)).toBe(true)
    expect(() => {
      ;(first!.requested_scope as string[]).push('admin')
    }).toThrow()
  })

  it('opens again when the stored text differs, and never across sealers or rows', () => {
    const a = contextWith('secret-one-0123456789abcdef')
    const b = contextWith('secret-two-0123456789abcdef')
    const sealedA = sealSession(a.ctx, 'access_token', 'sig-2', session('read'))
    expect(openSession(a.ctx, 'access_token', 'sig-2', sealedA)?.requested_scope).toEqual(['read'])
    const changed = sealSession(a.ctx, 'access_token', 'sig-2', session('write'))
    expect(openSession(a.ctx, 'access_token', 'sig-2', changed)?.requested_scope).toEqual(['write'])
    expect(a.opens()).toBe(2)
    // Another system secret cannot read it, cached or not; nor can another row (the AAD binds the signature).
    expect(openSession(b.ctx, 'access_token', 'sig-2', changed)).toBeNull()
    expect(b.warnings).toEqual(['token session could not be opened'])
    expect(openSession(a.ctx, 'refresh_token', 'sig-2', changed)).toBeNull()
    expect(openSession(a.ctx, 'access_token', 'sig-3', changed)).toBeNull()
  })

  it('keeps nothing of single-use tokens (codes, refresh tokens)', () => {
    const { ctx, opens } = contextWith('secret-one-0123456789abcdef')
    for (const kind of ['refresh_token', 'authorization_code'] as const) {
      const sealed = sealSession(ctx, kind, 'sig-4', session('read'))
      expect(openSession(ctx, kind, 'sig-4', sealed)).toEqual(session('read'))
      expect(openSession(ctx, kind, 'sig-4', sealed)).toEqual(session('read'))
    }
    expect(opens()).toBe(4)
  })
})
