import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { randomBytesFast } from '../../crypto/random.ts'

/** Prefixes of Hydra's opaque tokens. */
export const ACCESS_TOKEN_PREFIX = 'ory_at_'
export const REFRESH_TOKEN_PREFIX = 'ory_rt_'
export const AUTHORIZE_CODE_PREFIX = 'ory_ac_'

/** Random bytes per token (Hydra: 32). */
const ENTROPY = 32
const PART = /^[A-Za-z0-9_-]{43}$/

/** A freshly minted opaque token and the HMAC signature the store keys it by. */
export interface OpaqueToken {
  token: string
  signature: string
}

const keys = new Map<string, Buffer>()

function keyOf(secret: string): Buffer {
  let key = keys.get(secret)
  if (!key) {
    key = createHash('sha256').update(secret).digest()
    keys.set(secret, key)
  }
  return key
}

const hmac = (secret: string, random: Buffer) => createHmac('sha512-256', keyOf(secret)).update(random).digest()

/** `<prefix><base64url(32 random bytes)>.<base64url(HMAC-SHA512/256 of them)>`, keyed with SHA-256 of secrets[0]. */
export function mintOpaque(secrets: readonly string[], prefix: string): OpaqueToken {
  const random = randomBytesFast(ENTROPY)
  const signature = hmac(secrets[0]!, random).toString('base64url')
  return { token: `${prefix}${random.toString('base64url')}.${signature}`, signature }
}

/**
 * The signature of a well-formed token whose HMAC verifies under any of the secrets (so rotating the
 * system secret keeps issued tokens valid); null for anything else. Comparison is constant-time.
 */
export function opaqueSignature(secrets: readonly string[], prefix: string, token: string): string | null {
  if (!token.startsWith(prefix)) return null
  const body = token.slice(prefix.length)
  const dot = body.indexOf('.')
  const randomPart = body.slice(0, dot)
  const signature = body.slice(dot + 1)
  if (dot < 0 || !PART.test(randomPart) || !PART.test(signature)) return null
  const random = Buffer.from(randomPart, 'base64url')
  const presented = Buffer.from(signature, 'base64url')
  let valid = false
  for (const secret of secrets) {
    const expected = hmac(secret, random)
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) valid = true
  }
  return valid ? signature : null
}
