import { createHash } from 'node:crypto'
import type { OAuth2Client } from '../protocol/client.ts'

/**
 * The sector identifier of a client (OIDC Core §8.1): the host of sector_identifier_uri, else the host of its
 * single redirect URI. Null when it has several redirect hosts and no sector identifier.
 */
export function sectorIdentifier(client: Pick<OAuth2Client, 'sector_identifier_uri' | 'redirect_uris'>): string | null {
  if (client.sector_identifier_uri) return new URL(client.sector_identifier_uri).host
  const hosts = new Set(client.redirect_uris.map((u) => new URL(u).host))
  return hosts.size === 1 ? [...hosts][0]! : null
}

/** A pairwise subject: hex SHA-256 of sector ‖ local subject ‖ salt (OIDC Core §8.1). */
export function pairwiseSubject(sector: string, subject: string, salt: string): string {
  return createHash('sha256').update(sector).update(subject).update(salt).digest('hex')
}
