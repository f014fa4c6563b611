import { InvalidRequest } from '../protocol/errors.ts'

interface UrlParts {
  scheme: string
  host: string
  path: string
  rest: string
}

const URL_PARTS = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(.*)$/s

function parts(value: string): UrlParts {
  const m = URL_PARTS.exec(value)!
  return { scheme: (m[1] ?? '').toLowerCase(), host: m[2] ?? '', path: m[3] ?? '', rest: m[4] ?? '' }
}

/** Splits Hydra's space-separated `audience` parameter. */
export const parseAudience = (value: string | undefined): string[] => [...new Set((value ?? '').split(' ').filter(Boolean))]

/**
 * Hydra's audience matching: a requested audience is allowed by an entry with the same scheme and host whose
 * path equals it or is a parent of it (`https://api.test/v1` allows `https://api.test/v1/users`). A requested
 * audience with a query or fragment must equal an entry exactly.
 */
export function audienceAllowed(allowed: readonly string[], requested: string): boolean {
  const want = parts(requested)
  return allowed.some((entry) => {
    if (entry === requested) return true
    if (want.rest) return false
    const have = parts(entry)
    if (have.rest || want.scheme !== have.scheme || want.host !== have.host) return false
    const base = have.path.replace(/\/+$/, '')
    return want.path === have.path || want.path === base || want.path.startsWith(`${base}/`)
  })
}

/** Throws invalid_request, as Hydra does, for the first requested audience the client may not request. */
export function checkAudience(allowed: readonly string[], requested: readonly string[]): void {
  for (const audience of requested) {
    if (!audienceAllowed(allowed, audience)) {
      throw InvalidRequest.with({ hint: `Requested audience "${audience}" has not been whitelisted by the OAuth 2.0 Client.` })
    }
  }
}
