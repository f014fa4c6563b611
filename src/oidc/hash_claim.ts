import { createHash } from 'node:crypto'

const DIGEST: Record<string, string> = {
  RS256: 'sha256',
  PS256: 'sha256',
  ES256: 'sha256',
  RS384: 'sha384',
  PS384: 'sha384',
  ES384: 'sha384',
  RS512: 'sha512',
  PS512: 'sha512',
  ES512: 'sha512',
  EdDSA: 'sha512',
}

/**
 * `at_hash` / `c_hash` (OIDC Core §3.1.3.6, §3.3.2.11): base64url of the left half of the hash of the ASCII value,
 * with the hash named by the ID token's alg (Ed25519 uses SHA-512).
 */
export function halfHash(value: string, alg: string): string {
  const digest = createHash(DIGEST[alg] ?? 'sha256').update(value, 'ascii').digest()
  return digest.subarray(0, digest.length / 2).toString('base64url')
}
