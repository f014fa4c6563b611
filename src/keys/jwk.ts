import { CompactSign, compactVerify, importJWK, type JWK } from 'jose'
import { InvalidRequest, type OAuthError } from '../protocol/errors.ts'

interface AlgSpec {
  kty: 'RSA' | 'EC' | 'OKP'
  crv?: string
}

/** Asymmetric JWS algorithms a stored key may carry (RFC 7518 §3.1, RFC 8037 §3.1). */
const ALGS: Record<string, AlgSpec> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
}

const PUBLIC_MEMBERS: Record<AlgSpec['kty'], string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] }
const PRIVATE_MEMBERS: Record<AlgSpec['kty'], string[]> = { RSA: ['d', 'p', 'q', 'dp', 'dq', 'qi'], EC: ['d'], OKP: ['d'] }
/** Members that never leave the admin API. */
const PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])

const B64URL = /^[A-Za-z0-9_-]+$/
const B64 = /^[A-Za-z0-9+/]+={0,2}$/
const MAX_ID = 255
const MIN_RSA_BITS = 2048

const isIdentifier = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ID && !/[\u0000-\u001f\u007f]/.test(value)
const IDENTIFIER_RULE = `a string of 1 to ${MAX_ID} printable characters`

/** An identifier (set name or kid): 1–255 characters, no control characters; otherwise 400 invalid_request. */
export function checkIdentifier(value: unknown, what: string): string {
  if (!isIdentifier(value)) throw InvalidRequest.with({ hint: `The ${what} must be ${IDENTIFIER_RULE}.` })
  return value
}

/** A key set name: an identifier without "/", so that the sealing AAD `<set>/<kid>` is unambiguous. */
export function checkSetName(value: unknown): string {
  if (!isIdentifier(value) || value.includes('/')) {
    throw InvalidRequest.with({ hint: `The set name must be ${IDENTIFIER_RULE} other than "/".` })
  }
  return value
}

const invalid = (where: string, hint: string): OAuthError => InvalidRequest.with({ hint: `${where}: ${hint}` })

export const isPrivateJwk = (jwk: JWK) => typeof jwk.d === 'string'

/** The public parts of a key: kid, alg and use kept, every private member dropped. */
export function publicJwk(jwk: JWK): JWK {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(jwk)) if (!PRIVATE.has(k)) out[k] = v
  return out as JWK
}

function rsaBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url')
  let i = 0
  while (i < bytes.length && bytes[i] === 0) i++
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + Math.floor(Math.log2(bytes[i]!)) + 1
}

function checkShape(input: unknown, where: string): JWK {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid(where, 'a JSON Web Key must be a JSON object.')
  const raw = input as Record<string, unknown>
  if (raw.kty === 'oct') throw invalid(where, 'symmetric ("oct") keys are not supported.')
  const spec = typeof raw.alg === 'string' && Object.hasOwn(ALGS, raw.alg) ? ALGS[raw.alg] : undefined
  if (!spec) throw invalid(where, `"alg" must be one of ${Object.keys(ALGS).join(', ')}.`)
  // RFC 7517 §4.1: "kty" is REQUIRED; it must fit the algorithm.
  if (raw.kty !== spec.kty) throw invalid(where, `"kty" must be "${spec.kty}" for alg ${raw.alg}.`)
  if (!isIdentifier(raw.kid)) throw invalid(where, `"kid" must be ${IDENTIFIER_RULE}.`)
  if (raw.use !== 'sig' && raw.use !== 'enc') throw invalid(where, '"use" must be "sig" or "enc".')
  if (spec.crv && raw.crv !== spec.crv) throw invalid(where, `"crv" must be "${spec.crv}" for alg ${raw.alg}.`)

  const jwk: Record<string, unknown> = { kty: raw.kty, kid: raw.kid, alg: raw.alg, use: raw.use }
  for (const m of PUBLIC_MEMBERS[spec.kty]) {
    if (typeof raw[m] !== 'string' || !B64URL.test(raw[m] as string)) throw invalid(where, `"${m}" must be a base64url string.`)
    jwk[m] = raw[m]
  }
  const privateMembers = PRIVATE_MEMBERS[spec.kty]
  const present = privateMembers.filter((m) => raw[m] !== undefined)
  if (present.length > 0 && present.length < privateMembers.length) {
    throw invalid(where, `a private ${spec.kty} key needs all of ${privateMembers.join(', ')}.`)
  }
  for (const m of present) {
    if (typeof raw[m] !== 'string' || !B64URL.test(raw[m] as string)) throw invalid(where, `"${m}" must be a base64url string.`)
    jwk[m] = raw[m]
  }
  if (raw.oth !== undefined) throw invalid(where, 'multi-prime RSA keys ("oth") are not supported.')
  if (raw.x5c !== undefined) {
    if (!Array.isArray(raw.x5c) || !raw.x5c.every((c) => typeof c === 'string' && B64.test(c))) {
      throw invalid(where, '"x5c" must be an array of base64 strings.')
    }
    jwk.x5c = raw.x5c
  }
  if (spec.kty === 'RSA' && rsaBits(jwk.n as string) < MIN_RSA_BITS) {
    throw invalid(where, `RSA keys must have a modulus of at least ${MIN_RSA_BITS} bits.`)
  }
  return jwk as JWK
}

/** Imports a stored key for signing or verifying with its own alg. */
export async function importKey(jwk: JWK): Promise<CryptoKey> {
  return (await importJWK(jwk, jwk.alg)) as CryptoKey
}

const PROBE = new TextEncoder().encode('gatehouse key probe')

/**
 * Validates a JWK given to the admin API and returns it with only the members Gatehouse stores.
 * The key must import with jose; a private key must match its public half (a probe signature verifies).
 * Throws 400 invalid_request naming `where` and the problem.
 */
export async function validateJwk(input: unknown, where = 'key'): Promise<JWK> {
  const jwk = checkShape(input, where)
  let publicKey: CryptoKey
  try {
    publicKey = await importKey(publicJwk(jwk))
  } catch {
    throw invalid(where, 'the public key is not valid for its alg.')
  }
  if (!isPrivateJwk(jwk)) return jwk
  try {
    const probe = await new CompactSign(PROBE).setProtectedHeader({ alg: jwk.alg! }).sign(await importKey(jwk))
    await compactVerify(probe, publicKey)
  } catch {
    throw invalid(where, 'the private key is not valid or does not match its public key.')
  }
  return jwk
}
