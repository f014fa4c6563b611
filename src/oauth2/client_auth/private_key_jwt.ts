import type { JWTVerifyGetKey } from 'jose'
import type { OAuth2Context } from '../context.ts'
import type { ClientRecord } from '../../protocol/services.ts'
import { clientKeys } from '../client_keys.ts'
import { InvalidClient } from '../../protocol/errors.ts'
import type { ClientAuthMethodHandler } from '../types.ts'
import { assertionClientId, carriesAssertion, isHmacAssertion, verifyClientAssertion } from './client_assertion.ts'

/** Signature algorithms accepted for private_key_jwt assertions; never `none` or a MAC. */
export const PRIVATE_KEY_JWT_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const

async function assertionKeys(ctx: OAuth2Context, record: ClientRecord): Promise<JWTVerifyGetKey> {
  const keys = clientKeys(ctx, record.client)
  if (keys) return keys
  throw InvalidClient.with({ hint: 'The OAuth 2.0 Client has no JSON Web Keys (jwks or jwks_uri) to verify the client assertion.' })
}

/** RFC 7523 §2.2 / OIDC Core §9 private_key_jwt: an assertion signed with a key of the client's JWK set. */
export const privateKeyJwt: ClientAuthMethodHandler = {
  method: 'private_key_jwt',
  presents: (input) => carriesAssertion(input) && !isHmacAssertion(input),
  claimedClientId: assertionClientId,
  verify: (ctx, record, input) =>
    verifyClientAssertion(ctx, record, input, { method: 'private_key_jwt', algorithms: PRIVATE_KEY_JWT_ALGS, key: assertionKeys }),
}
