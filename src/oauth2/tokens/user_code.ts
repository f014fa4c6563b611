import { createHmac } from 'node:crypto'
import type { Config } from '../../config/schema.ts'
import { randomBytesFast } from '../../crypto/random.ts'

/** Hydra's user code presets (`oauth2.device_authorization.user_code.entropy_preset`): length and characters. */
export const USER_CODE_PRESETS = {
  // Letters and digits without those easily mistaken for one another (0 O o 1 I l B 8 S 5 Z 2).
  high: { length: 8, characters: 'abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679' },
  medium: { length: 8, characters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
  low: { length: 9, characters: '0123456789' },
} as const

/** The configured format: the preset's, with `length` and `character_set` replacing its parts when set. */
export function userCodeFormat(config: Config): { length: number; characters: string } {
  const c = config.oauth2.device_authorization.user_code
  const preset = USER_CODE_PRESETS[c.entropy_preset]
  return { length: c.length ?? preset.length, characters: c.character_set ?? preset.characters }
}

/** A new user code: `length` characters drawn uniformly from `characters` (rejection sampling, no modulo bias). */
export function generateUserCode(format: { length: number; characters: string }): string {
  const chars = [...format.characters]
  const limit = 2 ** 32 - (2 ** 32 % chars.length)
  const picked: string[] = []
  while (picked.length < format.length) {
    const bytes = randomBytesFast(4 * format.length)
    for (let i = 0; i < bytes.length && picked.length < format.length; i += 4) {
      const n = bytes.readUInt32BE(i)
      if (n < limit) picked.push(chars[n % chars.length]!)
    }
  }
  return picked.join('')
}

/** RFC 8628 §6.1: what the user types compares without regard to case, dashes or spaces. */
export const normalizeUserCode = (code: string) => code.replace(/[\s-]+/g, '').toUpperCase()

/** The signature the store keys a user code by: HMAC-SHA512/256 of the normalized code under a system secret. */
export const userCodeSignature = (secret: string, code: string): string =>
  createHmac('sha512-256', `user_code:${secret}`).update(normalizeUserCode(code)).digest('base64url')

/** The user code's signature under each system secret, the active one first: a code issued before a rotation is still found. */
export const userCodeSignatures = (secrets: readonly string[], code: string): string[] => secrets.map((secret) => userCodeSignature(secret, code))
