import type { Sealer } from '../crypto/aead.ts'

/** What a sealed value is for; it is bound as AEAD associated data, so one purpose never opens as another. */
export type ChallengePurpose =
  | 'login_challenge'
  | 'login_verifier'
  | 'consent_challenge'
  | 'consent_verifier'
  | 'logout_challenge'
  | 'logout_verifier'

interface Envelope<T> {
  /** expiry, epoch ms */
  e: number
  d: T
}

/**
 * Seals flow state into an opaque, URL-safe challenge or verifier (AES-256-GCM under secrets.system, purpose as
 * associated data, expiry inside). Nothing is stored; tampering or a wrong purpose fails to open.
 */
export function sealChallenge<T>(sealer: Sealer, purpose: ChallengePurpose, data: T, expiresAt: number): string {
  const envelope: Envelope<T> = { e: expiresAt, d: data }
  return sealer.seal(JSON.stringify(envelope), purpose)
}

/** The longest challenge or verifier accepted: they travel in URLs, and servers cap request lines. */
export const MAX_CHALLENGE_LENGTH = 16_384

/** Opens a challenge; null when it is malformed, tampered, of another purpose or expired. */
export function openChallenge<T>(sealer: Sealer, purpose: ChallengePurpose, value: string, now: number): T | null {
  if (!value || value.length > MAX_CHALLENGE_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) return null
  let envelope: Envelope<T>
  try {
    envelope = JSON.parse(sealer.open(value, purpose)) as Envelope<T>
  } catch {
    return null
  }
  if (typeof envelope?.e !== 'number' || envelope.e <= now) return null
  return envelope.d
}
