import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const pbkdf2Async = promisify(pbkdf2)

const SALT_BYTES = 16
const KEY_BYTES = 32
/** bcrypt only reads the first 72 bytes of a secret; longer secrets are refused rather than truncated. */
export const BCRYPT_MAX_BYTES = 72
/** Hydra's length of generated client secrets. */
export const GENERATED_SECRET_LENGTH = 26

export interface HasherOptions {
  algorithm: 'pbkdf2' | 'bcrypt'
  pbkdf2: { iterations: number }
  bcrypt: { cost: number }
}

const PBKDF2 = /^\$pbkdf2-(sha1|sha224|sha256|sha384|sha512)\$i=(\d+),l=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/
const BCRYPT = /^\$2[abxy]?\$/

// ory/x hasherx encodes salt and key as standard base64 without padding (Go's RawStdEncoding).
const rawStd = (b: Buffer) => b.toString('base64').replace(/=+$/, '')

/** Hashes a client secret in Hydra's format: `$pbkdf2-sha256$i=<iter>,l=32$<salt>$<key>` or bcrypt. */
export async function hashSecret(secret: string, options: HasherOptions): Promise<string> {
  if (options.algorithm === 'bcrypt') {
    if (Buffer.byteLength(secret) > BCRYPT_MAX_BYTES) throw new RangeError('secret is too long for bcrypt')
    return Bun.password.hash(secret, { algorithm: 'bcrypt', cost: options.bcrypt.cost })
  }
  const iterations = options.pbkdf2.iterations
  const salt = randomBytes(SALT_BYTES)
  const key = await pbkdf2Async(secret, salt, iterations, KEY_BYTES, 'sha256')
  return `$pbkdf2-sha256$i=${iterations},l=${KEY_BYTES}$${rawStd(salt)}$${rawStd(key)}`
}

/** Checks a secret against a stored hash of either kind (dispatch by prefix); malformed hashes never match. */
export async function compareSecret(secret: string, hash: string): Promise<boolean> {
  const m = PBKDF2.exec(hash)
  if (m) {
    const iterations = Number(m[2])
    const length = Number(m[3])
    const salt = Buffer.from(m[4]!, 'base64')
    const expected = Buffer.from(m[5]!, 'base64')
    if (!iterations || length !== expected.length || length === 0 || length > 64) return false
    const actual = await pbkdf2Async(secret, salt, iterations, length, m[1]!)
    return timingSafeEqual(actual, expected)
  }
  if (BCRYPT.test(hash)) {
    if (Buffer.byteLength(secret) > BCRYPT_MAX_BYTES) return false
    try {
      return await Bun.password.verify(secret, hash, 'bcrypt')
    } catch {
      return false
    }
  }
  return false
}

/** A fresh client secret: 26 URL-safe characters from a CSPRNG (156 bits). */
export function generateSecret(): string {
  return randomBytes(20).toString('base64url').slice(0, GENERATED_SECRET_LENGTH)
}
