import { constants, createPrivateKey, sign, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'

interface Signer {
  digest: string | null
  options: (key: KeyObject) => KeyObject | { key: KeyObject; dsaEncoding?: 'ieee-p1363'; padding?: number; saltLength?: number }
}

const pkcs1 = (digest: string): Signer => ({ digest, options: (key) => key })
const pss = (digest: string, saltLength: number): Signer => ({
  digest,
  options: (key) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }),
})
// RFC 7518 §3.4: an ECDSA JWS signature is R || S, not DER.
const ecdsa = (digest: string): Signer => ({ digest, options: (key) => ({ key, dsaEncoding: 'ieee-p1363' }) })

const SIGNERS: Record<string, Signer> = {
  RS256: pkcs1('sha256'),
  RS384: pkcs1('sha384'),
  RS512: pkcs1('sha512'),
  PS256: pss('sha256', 32),
  PS384: pss('sha384', 48),
  PS512: pss('sha512', 64),
  ES256: ecdsa('sha256'),
  ES384: ecdsa('sha384'),
  ES512: ecdsa('sha512'),
  EdDSA: { digest: null, options: (key) => key },
}

/** A private JWK's signing function for compact JWS: synchronous, on the node:crypto key object. */
export type JwsSigner = (header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>) => string

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * The signer of a private JWK whose `alg` is one of RFC 7518's RSA, RSA-PSS, ECDSA algorithms or EdDSA.
 * Token minting signs on every request; node:crypto's one-shot sign does it without WebCrypto's promise.
 */
export function jwsSigner(jwk: JWK): JwsSigner {
  const alg = jwk.alg ?? ''
  const signer = SIGNERS[alg]
  if (!signer) throw new TypeError(`no signer for alg ${alg}`)
  const key = createPrivateKey({ key: jwk as Record<string, string>, format: 'jwk' })
  const options = signer.options(key)
  return (header, payload) => {
    const input = `${b64({ ...header, alg })}.${b64(payload)}`
    return `${input}.${sign(signer.digest, Buffer.from(input), options).toString('base64url')}`
  }
}
