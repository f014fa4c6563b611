import { sealedSecretAad } from '../../clients/sealed_secret.ts'
import type { OAuth2Context } from '../context.ts'
import type { ClientRecord } from '../../protocol/services.ts'
import { seconds } from '../../util/clock.ts'
import { InvalidClient } from '../../protocol/errors.ts'
import type { ClientAuthMethodHandler } from '../types.ts'
import { assertionClientId, carriesAssertion, isHmacAssertion, verifyClientAssertion } from './client_assertion.ts'

/** MAC algorithms accepted for client_secret_jwt assertions. */
export const CLIENT_SECRET_JWT_ALGS = ['HS256', 'HS384', 'HS512'] as const


async function clientSecret(ctx: OAuth2Context, record: ClientRecord): Promise<Uint8Array> {
  const id = record.client.client_id
  const expiresAt = record.client.client_secret_expires_at
  // RFC 7591 §3.2.1: client_secret_expires_at, when non-zero, is when the secret stops being valid.
  if (expiresAt > 0 && expiresAt <= seconds(ctx.clock())) throw InvalidClient.with({ hint: 'The client secret has expired.' })
  const sealed = record.secret_sealed
  if (!sealed) throw InvalidClient.with({ hint: 'The OAuth 2.0 Client has no secret usable for client_secret_jwt.' })
  let secret: string
  try {
    secret = ctx.sealer.open(sealed, sealedSecretAad(id))
  } catch (err) {
    ctx.logger.error('sealed client secret could not be opened', { client_id: id, error: (err as Error).message })
    throw InvalidClient.with({ hint: 'The OAuth 2.0 Client has no secret usable for client_secret_jwt.' })
  }
  return new TextEncoder().encode(secret)
}

/** OIDC Core §9 client_secret_jwt: an assertion MAC-protected (HS256/384/512) with the client secret. */
export const clientSecretJwt: ClientAuthMethodHandler = {
  method: 'client_secret_jwt',
  presents: (input) => carriesAssertion(input) && isHmacAssertion(input),
  claimedClientId: assertionClientId,
  verify: (ctx, record, input) =>
    verifyClientAssertion(ctx, record, input, { method: 'client_secret_jwt', algorithms: CLIENT_SECRET_JWT_ALGS, key: clientSecret }),
}
