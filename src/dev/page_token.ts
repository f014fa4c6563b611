import { createHash, timingSafeEqual } from 'node:crypto'
import type { Sealer } from '../crypto/aead.ts'
import type { BuiltinPage } from '../flow/apps.ts'

const aad = (page: BuiltinPage) => `dev_page_token:${page}`
const digest = (challenge: string) => createHash('sha256').update(challenge).digest()

/**
 * The anti-forgery token of a built-in page's form: the challenge's digest sealed with the system secrets, bound
 * to the page. A POST counts only with a token issued for that very challenge, which only the page shows.
 */
export const pageToken = (sealer: Sealer, page: BuiltinPage, challenge: string): string =>
  sealer.seal(digest(challenge).toString('base64url'), aad(page))

/** Whether `token` was issued by `pageToken` for this page and challenge. */
export function pageTokenValid(sealer: Sealer, page: BuiltinPage, challenge: string, token: string | undefined): boolean {
  if (!token || token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) return false
  let opened: Buffer
  try {
    opened = Buffer.from(sealer.open(token, aad(page)), 'base64url')
  } catch {
    return false
  }
  const expected = digest(challenge)
  return opened.length === expected.length && timingSafeEqual(opened, expected)
}
