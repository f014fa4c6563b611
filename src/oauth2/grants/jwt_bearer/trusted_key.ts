import { errors as joseErrors, type JWK, type JWTPayload, type JWTVerifyOptions } from 'jose'
import { importKey } from '../../../keys/jwk.ts'
import { InvalidGrant } from '../../../protocol/errors.ts'
import type { TrustRow } from '../../../store/types.ts'
import { assertionError, verifyAssertionJwt } from '../../client_auth/client_assertion.ts'
import type { OAuth2Context } from '../../context.ts'
import { GRANT_ASSERTION, type PresentedAssertion } from './assertion.ts'

/** Keys tried for an assertion without a `kid`, at most (as Hydra). */
const MAX_KEYS = 100

/** The assertion verified, and the trust relationships whose key signed it. */
export interface TrustedAssertion {
  payload: JWTPayload
  trusts: TrustRow[]
}

const keyOf = (trust: TrustRow) => JSON.stringify(trust.jwk)

/**
 * RFC 7523 §3 item 9: the assertion is signed by the key of a trust relationship, unexpired, of its issuer for its
 * subject (or for any subject), the key its `kid` names when it names one; then its claims are checked by `options`.
 */
export async function verifyWithTrustedKey(
  ctx: Pick<OAuth2Context, 'store'>,
  presented: PresentedAssertion,
  options: Omit<JWTVerifyOptions, 'algorithms'>,
  now: number,
): Promise<TrustedAssertion> {
  const { jwt, alg, kid, iss, sub } = presented
  const candidates = await ctx.store.trust.findLive(iss, sub, now, MAX_KEYS, kid)
  if (candidates.length === 0) {
    const key = kid === undefined ? '' : ` with the key "${kid}"`
    throw InvalidGrant.with({ hint: `No trust relationship allows the issuer "${iss}" to assert the subject "${sub}"${key}, or it has expired.` })
  }
  const tried = new Set<string>()
  for (const trust of candidates) {
    const jwk = keyOf(trust)
    if (trust.jwk.alg !== alg || tried.has(jwk)) continue
    tried.add(jwk)
    try {
      const { payload } = await verifyAssertionJwt(jwt, await importKey(trust.jwk as JWK), { ...options, algorithms: [alg] }, now)
      return { payload, trusts: candidates.filter((t) => keyOf(t) === jwk) }
    } catch (err) {
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) continue
      throw assertionError(err, GRANT_ASSERTION)
    }
  }
  throw InvalidGrant.with({ hint: `The assertion signature does not verify with a key trusted for the issuer "${iss}" and the subject "${sub}".` })
}
