import type { OAuth2Context } from '../context.ts'
import type { ClientRecord } from '../../protocol/services.ts'
import { seconds } from '../../util/clock.ts'
import { InvalidClient } from '../../protocol/errors.ts'

/**
 * Checks a presented secret against the client's current and rotated hashes. Unknown clients and wrong
 * secrets fail alike (only the debug text differs), so responses do not tell which client ids exist.
 */
export async function verifyClientSecret(ctx: OAuth2Context, record: ClientRecord, secret: string | undefined): Promise<void> {
  if (!secret) throw InvalidClient.with({ debug: 'No client secret was presented.' })
  const expiresAt = record.client.client_secret_expires_at
  // RFC 7591 §3.2.1: a non-zero client_secret_expires_at is when the secret stops being valid.
  if (expiresAt > 0 && expiresAt <= seconds(ctx.clock())) throw InvalidClient.with({ hint: 'The client secret has expired.' })
  if (!record.secret_hash || !(await ctx.clients.verifySecret(record, secret))) {
    throw InvalidClient.with({ debug: 'The client secret does not match.' })
  }
}
