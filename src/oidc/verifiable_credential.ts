import { randomUUID } from 'node:crypto'
import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK } from 'jose'
import { CREDENTIAL_SCOPE, mintCNonce, spendCNonce } from '../oauth2/c_nonce.ts'
import type { FoundToken } from '../oauth2/tokens/lookup.ts'
import type { CoreContext } from '../protocol/context.ts'
import { InvalidRequest, OAuthError } from '../protocol/errors.ts'
import { isRecord } from '../protocol/json.ts'
import { ID_TOKEN_SET } from '../protocol/services.ts'
import { seconds } from '../util/clock.ts'
import { signJwt } from '../keys/sign_jwt.ts'
import { activeAccessToken, endUserOf, requireScopes } from './userinfo.ts'

/** The one credential format Hydra issues: a JWT VC (OpenID4VCI draft 00). */
export const CREDENTIAL_FORMAT = 'jwt_vc_json'
/** The types of the UserInfo credential. */
export const CREDENTIAL_TYPES: readonly string[] = ['VerifiableCredential', 'UserInfoCredential']
/** Algorithms a proof may be signed with (Hydra's `cryptographic_suites_supported`). */
export const PROOF_ALGS: readonly string[] = ['PS256', 'RS256', 'ES256', 'PS384', 'RS384', 'ES384', 'PS512', 'RS512', 'ES512', 'EdDSA']
/** How long a credential is valid, as in Hydra. */
const CREDENTIAL_LIFETIME_S = 3600

/** A credential request (OpenID4VCI draft 00 §7.2) as Hydra reads it. */
interface CredentialRequest {
  proof: { proof_type: string; jwt: string } | null
}

/**
 * What the credential endpoint answers: the credential, or, to a request without a proof, Hydra's priming
 * answer (400 `missing_proof`) with a fresh c_nonce to sign one with.
 */
export type CredentialAnswer =
  | { type: 'credential'; body: { format: string; credential_draft_00: string } }
  | { type: 'priming'; body: { error: 'missing_proof'; error_description: string; format: string; c_nonce: string; c_nonce_expires_in: number } }

const invalid = (hint: string) => InvalidRequest.with({ hint })

function credentialRequestOf(body: Record<string, unknown>): CredentialRequest {
  const { format, types, proof } = body
  if (format !== CREDENTIAL_FORMAT) throw invalid(`The format "${typeof format === 'string' ? format : ''}" is not supported.`)
  if (types !== undefined) {
    if (!Array.isArray(types) || !types.every((t) => typeof t === 'string')) throw invalid('The "types" member must be an array of strings.')
    const unsupported = types.find((t) => !CREDENTIAL_TYPES.includes(t))
    if (unsupported !== undefined) throw invalid(`The credential type "${unsupported}" is not supported.`)
  }
  if (proof === undefined || proof === null) return { proof: null }
  if (!isRecord(proof) || typeof proof.proof_type !== 'string' || typeof proof.jwt !== 'string') {
    throw invalid('The "proof" member must be an object with the string members "proof_type" and "jwt".')
  }
  if (proof.proof_type !== 'jwt') throw invalid(`The proof type "${proof.proof_type}" is not supported.`)
  return { proof: { proof_type: proof.proof_type, jwt: proof.jwt } }
}

function priming(ctx: CoreContext, found: FoundToken): CredentialAnswer {
  const nonce = mintCNonce(ctx, found.row.request_id)
  return {
    type: 'priming',
    body: {
      error: 'missing_proof',
      error_description: 'Could not issue a verifiable credential because the proof is missing in the request.',
      // Hydra names the format of its priming answer jwt_vc.
      format: 'jwt_vc',
      ...nonce,
    },
  }
}

const PUBLIC_JWK_MEMBERS = new Set(['kty', 'crv', 'x', 'y', 'n', 'e', 'alg', 'kid', 'use'])

/** The holder's key from the proof's `jwk` header: a public signing key for the header's algorithm. */
async function holderKey(jwt: string): Promise<{ alg: string; jwk: JWK; key: CryptoKey }> {
  let header
  try {
    header = decodeProtectedHeader(jwt)
  } catch {
    throw invalid('The JWT header in the proof is malformed.')
  }
  const { alg, jwk } = header
  if (typeof alg !== 'string' || !PROOF_ALGS.includes(alg)) throw invalid('The proof JWT is signed with an algorithm that is not supported.')
  if (!isRecord(jwk) || (jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== alg)) {
    throw invalid('The JWK in the JWT header is malformed.')
  }
  let key
  try {
    key = await importJWK(jwk as JWK, alg)
  } catch {
    throw invalid('The JWK in the JWT header is malformed.')
  }
  if (key instanceof Uint8Array || key.type !== 'public') throw invalid('The JWK in the JWT header must be a public key.')
  return { alg, jwk: jwk as JWK, key }
}

function proofError(err: unknown): OAuthError {
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return invalid('The proof JWT must carry the issuer as its "aud" claim.')
    return invalid(`The proof JWT claim "${err.claim}" is invalid: ${err.reason.replaceAll('_', ' ')}.`)
  }
  if (err instanceof joseErrors.JWTExpired) return invalid('The proof JWT has expired.')
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return invalid('The JWT was not signed with the correct key supplied in the JWK header.')
  if (err instanceof joseErrors.JOSEError) return invalid('The JWT in the proof is malformed.')
  throw err
}

/**
 * Verifies the proof of possession (OpenID4VCI draft 00 §7.2.1): a JWT signed by the key in its `jwk` header, for
 * this issuer (`aud`), carrying a c_nonce of the access token's grant, which it spends. Returns the holder's public key.
 */
async function verifyProof(ctx: CoreContext, found: FoundToken, jwt: string): Promise<Record<string, unknown>> {
  const { alg, jwk, key } = await holderKey(jwt)
  let payload
  try {
    ;({ payload } = await jwtVerify(jwt, key, { algorithms: [alg], audience: ctx.issuer, currentDate: new Date(ctx.clock()) }))
  } catch (err) {
    throw proofError(err)
  }
  if (typeof payload.nonce !== 'string') throw invalid('The JWT did not contain the "nonce" claim.')
  await spendCNonce(ctx, found.row.request_id, payload.nonce)
  return Object.fromEntries(Object.entries(jwk).filter(([name]) => PUBLIC_JWK_MEMBERS.has(name)))
}

/** The credential as Hydra builds it: a JWT of the id-token key set about the holder (`did:jwk`) and the end-user. */
async function signCredential(ctx: CoreContext, found: FoundToken, holder: Record<string, unknown>): Promise<string> {
  const { claims } = await endUserOf(ctx, found)
  // did:jwk: the holder's public JWK, base64url-encoded.
  const did = `did:jwk:${Buffer.from(JSON.stringify(holder)).toString('base64url')}`
  const now = seconds(ctx.clock())
  const key = await ctx.keys.signingKey(ID_TOKEN_SET)
  return signJwt(
    {
      iss: ctx.issuer,
      sub: did,
      jti: randomUUID(),
      iat: now,
      nbf: now,
      exp: now + CREDENTIAL_LIFETIME_S,
      vc: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: [...CREDENTIAL_TYPES],
        credentialSubject: { ...claims, id: did },
      },
    },
    key,
    'JWT',
  )
}

/**
 * `POST /credentials` (OpenID4VCI draft 00, as Hydra v26 serves it): for a Bearer access token granted `openid` and
 * the credential scope, a UserInfo credential bound to the key that signed the proof.
 */
export async function createVerifiableCredential(ctx: CoreContext, token: string, body: Record<string, unknown>): Promise<CredentialAnswer> {
  const found = await activeAccessToken(ctx, token)
  requireScopes(found, ['openid', CREDENTIAL_SCOPE])
  const request = credentialRequestOf(body)
  if (!request.proof) return priming(ctx, found)
  const holder = await verifyProof(ctx, found, request.proof.jwt)
  return { type: 'credential', body: { format: CREDENTIAL_FORMAT, credential_draft_00: await signCredential(ctx, found, holder) } }
}
