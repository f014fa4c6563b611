import { createHash, timingSafeEqual } from 'node:crypto'
import type { Config } from '../config/schema.ts'
import type { OAuth2Client } from '../protocol/client.ts'

/** RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/
/** An S256 challenge is the base64url SHA-256 of a verifier: 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

export const isValidCodeVerifier = (v: string) => VERIFIER.test(v)
export const isValidS256Challenge = (c: string) => S256_CHALLENGE.test(c)

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

/** RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) == code_challenge, compared in constant time. */
export function verifyS256(verifier: string, challenge: string): boolean {
  if (!isValidCodeVerifier(verifier)) return false
  const a = Buffer.from(s256(verifier))
  const b = Buffer.from(challenge)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** RFC 9700 §2.1.1: PKCE is required of public clients, and of every client with `oauth2.pkce.enforced`. */
export const pkceRequired = (config: Config, client: Pick<OAuth2Client, 'token_endpoint_auth_method'>): boolean =>
  client.token_endpoint_auth_method === 'none' || config.oauth2.pkce.enforced
