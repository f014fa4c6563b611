import type { Sealer } from '../crypto/aead.ts'
import { InvalidRequest } from './errors.ts'

/**
 * Hydra's keyset pagination of an admin list: the page token is the last key of the previous page, sealed (with
 * `aad` naming the list) so that it cannot be forged. Absent or empty, the list starts at the beginning.
 */
export function openPageToken(sealer: Sealer, token: string | undefined, aad: string): string | undefined {
  if (token === undefined || token === '') return undefined
  try {
    return sealer.open(token, aad)
  } catch {
    throw InvalidRequest.with({ hint: 'The page_token is invalid.' })
  }
}

/** One page of `rows` (read with a limit of `size + 1`), and the token of the next page when there is one. */
export function keysetPage<R>(sealer: Sealer, rows: R[], size: number, keyOf: (row: R) => string, aad: string): { page: R[]; next?: string } {
  const page = rows.slice(0, size)
  if (rows.length <= size) return { page }
  return { page, next: sealer.seal(keyOf(page[page.length - 1]!), aad) }
}
