import { exportJWK, generateKeyPair, type JWK } from 'jose'

/** Algorithms Gatehouse generates keys for. */
export const GENERATED_ALGS = ['RS256', 'ES256', 'ES512', 'EdDSA'] as const
export type GeneratedAlg = (typeof GENERATED_ALGS)[number]

export const isGeneratedAlg = (alg: unknown): alg is GeneratedAlg =>
  typeof alg === 'string' && (GENERATED_ALGS as readonly string[]).includes(alg)

export interface GenerateOptions {
  alg: GeneratedAlg
  use: 'sig' | 'enc'
  kid: string
  /** Bits of a generated RSA modulus. */
  rsaModulusLength: number
}

/** A fresh key pair as one private JWK carrying kid, alg and use. */
export async function generateJwk(opts: GenerateOptions): Promise<JWK> {
  const { privateKey } = await generateKeyPair(opts.alg, {
    extractable: true,
    ...(opts.alg === 'RS256' ? { modulusLength: opts.rsaModulusLength } : {}),
  })
  const jwk = await exportJWK(privateKey)
  return { ...jwk, kid: opts.kid, alg: opts.alg, use: opts.use }
}
