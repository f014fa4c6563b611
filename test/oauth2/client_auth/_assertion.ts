import { expect } from 'bun:test'
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose'
import { errorOf, ISSUER, postForm, TOKEN_URL, type TestServer } from '../../_harness.ts'
import { seconds } from '../../../src/util/clock.ts'

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
/** The token endpoint as clients name it in `aud`. */
export const TOKEN_AUD = `${ISSUER}/oauth2/token`
export const CC = { grant_type: 'client_credentials' }

/** What signs an assertion: a private key (with its public JWK) or a shared secret. */
export interface Signer {
  alg: string
  kid?: string
  key: CryptoKey | Uint8Array
  jwk?: JWK
}

export async function keyPair(alg: 'ES256' | 'RS256' | 'PS256' | 'EdDSA', kid: string): Promise<Signer & { jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
  return { alg, kid, key: privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

export const secretSigner = (secret: string, alg = 'HS256'): Signer => ({ alg, key: new TextEncoder().encode(secret) })

/**
 * A client assertion for `clientId` that is valid at the server's clock; `claims` override or (with
 * undefined) remove claims, `header` extends the protected header.
 */
export function assertion(
  s: TestServer,
  clientId: string,
  signer: Signer,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = seconds(s.clock())
  const payload: JWTPayload = { iss: clientId, sub: clientId, aud: TOKEN_AUD, jti: crypto.randomUUID(), iat: now, exp: now + 60, ...claims }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: signer.alg, ...(signer.kid ? { kid: signer.kid } : {}), ...header })
    .sign(signer.key)
}

/** POSTs a client_credentials request authenticated by `jwt`, plus `extra` form parameters. */
export const tokenWith = (s: TestServer, jwt: string, extra: Record<string, string> = {}) =>
  postForm(s.publicFetch, TOKEN_URL, { ...CC, client_assertion_type: JWT_BEARER, client_assertion: jwt, ...extra })

/** Expects a 401 invalid_client with a challenge whose description matches `why`. */
export async function expectInvalidClient(res: Response, why: RegExp) {
  expect(res.headers.get('www-authenticate')).toBeTruthy()
  const err = await errorOf(res)
  expect({ status: err.status, error: err.error }).toEqual({ status: 401, error: 'invalid_client' })
  expect(err.description).toMatch(why)
}

/** Expects an access token in a 200 response. */
export async function expectToken(res: Response) {
  const body = (await res.json()) as Record<string, unknown>
  expect(res.status).toBe(200)
  expect(body).toMatchObject({ token_type: 'bearer' })
  expect(body.access_token).toBeString()
}
