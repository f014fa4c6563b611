import type { JWK } from 'jose'
import { checkIdentifier, isPrivateJwk, validateJwk } from '../../keys/jwk.ts'
import { InvalidRequest } from '../../protocol/errors.ts'
import { isRecord } from '../../protocol/json.ts'
import { seconds } from '../../util/clock.ts'
import { parseScope } from '../scope.ts'

/** A trustOAuth2JwtGrantIssuer body, checked: what a trust relationship is made of. */
export interface TrustRequest {
  issuer: string
  /** '' when `allow_any_subject`. */
  subject: string
  allow_any_subject: boolean
  scope: string[]
  /** The issuer's public key, with only the members Gatehouse keeps. */
  jwk: JWK
  /** Epoch ms, whole seconds. */
  expires_at: number
}

const bad = (hint: string) => InvalidRequest.with({ hint })

// RFC 3339 §5.6 date-time.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

function readScope(value: unknown): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) throw bad('"scope" must be an array of strings.')
  // RFC 6749 §3.3: each scope is one scope-token.
  const tokenOf = (s: string) => {
    try {
      const [token, more] = parseScope(s)
      return more === undefined && token === s
    } catch {
      return false
    }
  }
  if (!value.every(tokenOf)) throw bad('"scope" must hold scope tokens: printable characters without spaces, quotes or backslashes.')
  return [...new Set(value as string[])]
}

function readSubject(body: Record<string, unknown>): { subject: string; allow_any_subject: boolean } {
  const { subject, allow_any_subject: any } = body
  if (any !== undefined && any !== null && typeof any !== 'boolean') throw bad('"allow_any_subject" must be a boolean.')
  if (subject !== undefined && subject !== null && typeof subject !== 'string') throw bad('"subject" must be a string.')
  const named = typeof subject === 'string' && subject !== ''
  if (named && any === true) throw bad('"subject" and "allow_any_subject" must not both be set.')
  if (!named && any !== true) throw bad('One of "subject" or "allow_any_subject" must be set.')
  return named ? { subject: checkIdentifier(subject, '"subject"'), allow_any_subject: false } : { subject: '', allow_any_subject: true }
}

async function readJwk(value: unknown): Promise<JWK> {
  if (!isRecord(value)) throw bad('"jwk" must be a JSON Web Key object.')
  const jwk = await validateJwk(value, 'jwk')
  // A trust holds only what verifies the issuer's assertions; its private key belongs to the issuer alone.
  if (isPrivateJwk(jwk)) throw bad('jwk: a private key was given; trust the public key only.')
  if (jwk.use !== 'sig') throw bad('jwk: "use" must be "sig": the key verifies signed assertions.')
  return jwk
}

function readExpiry(value: unknown, now: number): number {
  if (typeof value !== 'string' || value === '') throw bad('"expires_at" is required: an RFC 3339 date-time.')
  const ms = DATE_TIME.test(value) ? Date.parse(value.toUpperCase().replace(' ', 'T')) : NaN
  if (!Number.isFinite(ms)) throw bad('"expires_at" must be an RFC 3339 date-time.')
  const expiresAt = seconds(ms + 500) * 1000
  if (expiresAt <= now) throw bad('"expires_at" must be in the future.')
  return expiresAt
}

/** Checks a body of `POST /admin/trust/grants/jwt-bearer/issuers`; every refusal is a 400 with its reason. */
export async function readTrustRequest(body: Record<string, unknown>, now: number): Promise<TrustRequest> {
  if (typeof body.issuer !== 'string' || body.issuer === '') throw bad('"issuer" is required: the iss of the assertions.')
  const issuer = checkIdentifier(body.issuer, '"issuer"')
  return {
    issuer,
    ...readSubject(body),
    scope: readScope(body.scope),
    jwk: await readJwk(body.jwk),
    expires_at: readExpiry(body.expires_at, now),
  }
}
