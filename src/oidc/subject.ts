import type { OAuth2Client } from '../protocol/client.ts'
import type { CoreContext } from '../protocol/context.ts'
import { ServerError } from '../protocol/errors.ts'
import { pairwiseSubject, sectorIdentifier } from './pairwise.ts'

/** Who the end-user is: the local subject and the login's `force_subject_identifier`, if any. */
export interface SubjectSource {
  subject: string
  force_subject_identifier: string | null
}

/**
 * The `sub` a client sees in ID tokens and at userinfo (OIDC Core §8). For a `pairwise` client (when the
 * server offers pairwise subjects) it is the login's `force_subject_identifier` or else the pairwise identifier;
 * as in Hydra, `force_subject_identifier` has no effect for a `public` client, which sees the local subject.
 */
export function subjectFor(ctx: CoreContext, client: OAuth2Client, source: SubjectSource): string {
  const { supported_types, pairwise } = ctx.config.oidc.subject_identifiers
  if (client.subject_type !== 'pairwise' || !supported_types.includes('pairwise')) return source.subject
  if (source.force_subject_identifier) return source.force_subject_identifier
  let sector: string | null
  try {
    sector = sectorIdentifier(client)
  } catch {
    sector = null
  }
  // OIDC Core §8.1: without a sector_identifier_uri, all redirect URIs must share one host.
  if (!sector) {
    throw ServerError.with({
      hint: 'The pairwise OAuth 2.0 Client has no sector identifier.',
      debug: `Client "${client.client_id}" has redirect URIs on several hosts and no sector_identifier_uri.`,
    })
  }
  return pairwiseSubject(sector, source.subject, pairwise.salt)
}
