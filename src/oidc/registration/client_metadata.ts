import { LIFESPAN_FIELDS, type OAuth2Client } from '../../protocol/client.ts'
import { InvalidClientMetadata } from '../../protocol/errors.ts'

/**
 * Fields only the admin API sets. Hydra refuses metadata, access_token_strategy, skip_consent and
 * skip_logout_consent from a registrant; the per-grant token lifespans are the operator's too.
 */
const ADMIN_ONLY_FIELDS = ['metadata', 'access_token_strategy', 'skip_consent', 'skip_logout_consent', ...LIFESPAN_FIELDS] as const

/** A member a registrant sent with a value: null, false and '' say nothing. */
export const isGiven = (value: unknown) => value !== undefined && value !== null && value !== false && value !== ''

/**
 * The client metadata of a registration request (RFC 7591 §2) as the client service reads it. Unknown members
 * stay and are ignored by the service. An admin-only field keeps the client's current value (none on
 * registration); a registrant sending another value is refused with invalid_client_metadata (RFC 7591 §3.2.2),
 * while the value it was shown may come back unchanged. A request naming no scope gets `defaultScope`.
 */
export function registrantMetadata(
  body: Record<string, unknown>,
  current: OAuth2Client | null,
  defaultScope: readonly string[],
): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...body }
  for (const field of ADMIN_ONLY_FIELDS) {
    const stored = current?.[field]
    if (isGiven(body[field]) && !Bun.deepEquals(body[field], stored)) {
      throw InvalidClientMetadata.with({ hint: `Field ${field} cannot be set through dynamic client registration.` })
    }
    if (stored === undefined) delete metadata[field]
    else metadata[field] = stored
  }
  if (!isGiven(metadata.scope)) metadata.scope = defaultScope.join(' ')
  return metadata
}
