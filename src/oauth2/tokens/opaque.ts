import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { randomBytesFast } from '../../crypto/random.ts'

/** Prefixes of Hydra's opaque tokens. */
export const ACCESS_TOKEN_PREFIX = 'ory_at_'
export const REFRESH_TOKEN_PREFIX = 'ory_rt_'
export const AUTHORIZE_CODE_PREFIX = 'ory_ac_'
export const DEVICE_CODE_PREFIX = 'ory_dc_'

/** Random bytes per token (Hydra: 32). */
const ENTROPY = 32
/** Big-endian milliseconds of the minting time, ahead of the random bytes. */
const ISSUED = 6
/** base64url of 32 bytes: an HMAC, or the random bytes alone of a token minted before it carried its time. */
const PART_32 = /^[A-Za-z0-9_-]{43}$/
/** base64url of the minting time and the random bytes. */
const PART_38 = /^[A-Za-z0-9_-]{51}$/

/** A freshly minted opaque token and the signature the store keys it by. */
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

const hmac = (secret: string, body: Buffer) => createHmac('sha512-256', keyOf(secret)).update(body).digest()

/**
 * The stored signature: the HMAC, led by the minting time in hex when the token carries it, so that
 * tokens minted one after another sit side by side in the store's primary-key index (it grows at its right
 * edge instead of dirtying a random page per token). The time is no secret; the token's random bytes are.
 */
const storedSignature = (body: Buffer, mac: string) =>
  body.length === ISSUED + ENTROPY ? body.toString('hex', 0, ISSUED) + mac : mac

/**
 * `<prefix><base64url(6-byte minting time in ms ‖ 32 random bytes)>.<base64url(HMAC-SHA512/256 of them)>`,
 * keyed with SHA-256 of secrets[0].
 */
export function mintOpaque(secrets: readonly string[], prefix: string, now: number): OpaqueToken {
  const body = randomBytesFast(ISSUED + ENTROPY)
  body.writeUIntBE(Math.max(0, Math.trunc(now)) % 2 ** 48, 0, ISSUED)
  const mac = hmac(secrets[0]!, body).toString('base64url')
  return { token: `${prefix}${body.toString('base64url')}.${mac}`, signature: storedSignature(body, mac) }
}

/**
 * The stored signature of a well-formed token whose HMAC verifies under any of the secrets (so rotating the
 * system secret keeps issued tokens valid); null for anything else. Comparison is constant-time. Tokens
 * minted without the time part (32 random bytes alone) are still read.
 */
export function opaqueSignature(secrets: readonly string[], prefix: string, token: string): string | null {
  if (!token.startsWith(prefix)) return null
  const rest = token.slice(prefix.length)
  const dot = rest.indexOf('.')
  if (dot < 0) return null
  const bodyPart = rest.slice(0, dot)
  const mac = rest.slice(dot + 1)
  if (!(PART_38.test(bodyPart) || PART_32.test(bodyPart)) || !PART_32.test(mac)) return null
  const body = Buffer.from(bodyPart, 'base64url')
  const presented = Buffer.from(mac, 'base64url')
  let valid = false
  for (const secret of secrets) {
    const expected = hmac(secret, body)
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) valid = true
  }
  return valid ? storedSignature(body, mac) : null
}
