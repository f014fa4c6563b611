import { createHash } from 'node:crypto'
import type { OAuth2Context } from '../context.ts'
import { ACCESS_TOKEN_SET } from '../../protocol/services.ts'
import { seconds } from '../../util/clock.ts'
import { signJwt } from '../../keys/sign_jwt.ts'

/** Claims that neither `ext` nor `oauth2.allowed_top_level_claims` may set at the top level. */
export const RESERVED_ACCESS_TOKEN_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'scope', 'scp', 'ext',
])

export interface JwtAccessTokenInput {
  clientId: string
  subject: string
  scope: readonly string[]
  audience: readonly string[]
  ext: Record<string, unknown>
  /** Epoch ms. */
  issuedAt: number
  /** Epoch ms. */
  expiresAt: number
}

/** A signed JWT access token, the signature the store keys it by, and the digest of its signing input. */
export interface JwtAccessToken {
  token: string
  signature: string
  digest: string
}

/** base64url SHA-256 of a compact JWS's `header.payload`. */
export const signingInputDigest = (headerAndPayload: string) =>
  createHash('sha256').update(headerAndPayload).digest('base64url')

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** Splits a compact JWS into its signing input, payload segment and signature; null when it is not one. */
export function splitJws(token: string): { signingInput: string; payload: string; signature: string } | null {
  if (!COMPACT_JWS.test(token)) return null
  const dot = token.lastIndexOf('.')
  const signingInput = token.slice(0, dot)
  return { signingInput, payload: signingInput.slice(signingInput.indexOf('.') + 1), signature: token.slice(dot + 1) }
}

const UUID_V7 = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/**
 * The stored signature of a JWT access token: its JWS signature, led by the minting time that its UUIDv7
 * `jti` carries (12 hex digits, as opaque tokens lead theirs), so the store's index grows at one end; the
 * bare JWS signature when the jti is anything else (tokens minted before jtis were UUIDv7).
 */
export function storedJwtSignature(jti: unknown, signature: string): string {
  const m = typeof jti === 'string' ? UUID_V7.exec(jti) : null
  return m ? m[1]! + m[2]! + signature : signature
}

/** The `jti` of a JWS payload segment, unverified (it only says where to look); undefined when unreadable. */
export function jtiOf(payload: string): unknown {
  try {
    return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti?: unknown } | null)?.jti
  } catch {
    return undefined
  }
}

function claimsOf(ctx: OAuth2Context, input: JwtAccessTokenInput): Record<string, unknown> {
  const { oauth2, strategies } = ctx.config
  const iat = seconds(input.issuedAt)
  const claims: Record<string, unknown> = {}
  let ext = input.ext
  const lifted = oauth2.allowed_top_level_claims.filter((name) => name in ext && !RESERVED_ACCESS_TOKEN_CLAIMS.has(name))
  for (const name of lifted) claims[name] = ext[name]
  if (!oauth2.mirror_top_level_claims && lifted.length) {
    ext = Object.fromEntries(Object.entries(ext).filter(([name]) => !lifted.includes(name)))
  }
  // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat and jti are required.
  Object.assign(claims, {
    iss: ctx.issuer,
    sub: input.subject,
    aud: [...input.audience],
    exp: seconds(input.expiresAt),
    iat,
    jti: Bun.randomUUIDv7('hex', input.issuedAt),
    client_id: input.clientId,
  })
  if (!oauth2.exclude_not_before_claim) claims.nbf = iat
  const mode = strategies.jwt.scope_claim
  if (mode === 'list' || mode === 'both') claims.scp = [...input.scope]
  if (mode === 'string' || mode === 'both') claims.scope = input.scope.join(' ')
  if (Object.keys(ext).length) claims.ext = ext
  return claims
}

/** Signs an RFC 9068 access token with the newest key of `hydra.jwt.access-token`. */
export async function signJwtAccessToken(ctx: OAuth2Context, input: JwtAccessTokenInput): Promise<JwtAccessToken> {
  const key = await ctx.keys.signingKey(ACCESS_TOKEN_SET)
  // RFC 9068 §2.1: the header typ is "at+jwt".
  const claims = claimsOf(ctx, input)
  const token = await signJwt(claims, key, 'at+jwt')
  const parts = splitJws(token)!
  return { token, signature: storedJwtSignature(claims.jti, parts.signature), digest: signingInputDigest(parts.signingInput) }
}
