import { compactVerify, createLocalJWKSet } from 'jose'
import type { OAuth2Context } from '../context.ts'
import { publicJwk } from '../../keys/jwk.ts'
import { readSet } from '../../keys/key_set.ts'
import { ID_TOKEN_SET } from '../../protocol/services.ts'
import { InvalidRequest } from '../../protocol/errors.ts'
import type { Check } from './authorization_request.ts'
import { isRecord } from '../../protocol/json.ts'

/**
 * Verifies an ID token this issuer signed (keys of `hydra.openid.id-token`, issuer checked); an expired one is
 * still a valid hint (OIDC Core §3.1.2.1). Throws invalid_request otherwise. Returns the claims.
 */
export async function verifyIdTokenHint(ctx: OAuth2Context, hint: string): Promise<Record<string, unknown>> {
  let claims: unknown
  try {
    const keys = (await readSet(ctx.store, ctx.sealer, ID_TOKEN_SET)).map(publicJwk)
    const { payload } = await compactVerify(hint, createLocalJWKSet({ keys }))
    claims = JSON.parse(new TextDecoder().decode(payload))
  } catch {
    throw InvalidRequest.with({ hint: 'The id_token_hint could not be verified.' })
  }
  if (!isRecord(claims)) throw InvalidRequest.with({ hint: 'The id_token_hint could not be verified.' })
  const c = claims
  if (c.iss !== ctx.issuer) throw InvalidRequest.with({ hint: 'The id_token_hint was not issued by this server.' })
  if (typeof c.sub !== 'string' || c.sub === '') {
    throw InvalidRequest.with({ hint: 'The id_token_hint does not have a subject.' })
  }
  return c
}

/** OIDC Core §3.1.2.1: an id_token_hint must be an ID token of ours; its subject is compared with the session later. */
export const checkIdTokenHint: Check = async (r) => {
  const hint = r.params.get('id_token_hint')
  if (hint) r.idTokenHintClaims = await verifyIdTokenHint(r.ctx, hint)
}
