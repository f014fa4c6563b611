import { createCipheriv, createDecipheriv, createHash, createSecretKey, type KeyObject } from 'node:crypto'
import { randomBytesFast } from './random.ts'

const NONCE = 12
const TAG = 16

/**
 * AES-256-GCM sealing with the system secrets: the first secret seals, every secret in the list opens,
 * so prepending a new secret rotates without losing data. The key is SHA-256 of the secret.
 */
export class Sealer {
  readonly #keys: KeyObject[]

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new TypeError('at least one secret is required')
    this.#keys = secrets.map((s) => createSecretKey(createHash('sha256').update(s).digest()))
  }

  /** Seals UTF-8 text; `aad` binds the ciphertext to a purpose (e.g. the key set and kid). */
  seal(plaintext: string, aad = ''): string {
    const nonce = randomBytesFast(NONCE)
    const cipher = createCipheriv('aes-256-gcm', this.#keys[0]!, nonce)
    if (aad) cipher.setAAD(Buffer.from(aad))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')
  }

  /** Opens what any of the secrets sealed; throws when none can (tampered, or secret removed). */
  open(sealed: string, aad = ''): string {
    const raw = Buffer.from(sealed, 'base64url')
    if (raw.length < NONCE + TAG) throw new Error('sealed value is too short')
    const nonce = raw.subarray(0, NONCE)
    const body = raw.subarray(NONCE, raw.length - TAG)
    const tag = raw.subarray(raw.length - TAG)
    for (const key of this.#keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce)
        if (aad) decipher.setAAD(Buffer.from(aad))
        decipher.setAuthTag(tag)
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')
      } catch {
        // try the next secret
      }
    }
    throw new Error('sealed value could not be opened with any configured secret')
  }
}
