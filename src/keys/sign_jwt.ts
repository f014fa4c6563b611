import { CompactSign } from 'jose'
import type { SigningKey } from '../protocol/services.ts'

const utf8 = new TextEncoder()

/**
 * A compact JWS of `claims` signed with `key`, header `{ alg, kid, typ }`. The claims are built by the
 * caller and serialised once as they are (jose's SignJWT would deep-copy them first).
 */
export function signJwt(claims: Record<string, unknown>, key: SigningKey, typ: string): Promise<string> {
  return new CompactSign(utf8.encode(JSON.stringify(claims))).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.key)
}
