import type { Config } from '../config/schema.ts'
import type { AppContext } from '../context.ts'
import type { Browser, CsrfKind } from '../flow/browser.ts'

const utf8 = new TextEncoder()

/** MurmurHash3 x86 32-bit (seed 0) of the UTF-8 bytes of `text`, as Go's `murmur3.Sum32`. */
export function murmur3(text: string): number {
  const bytes = utf8.encode(text)
  const c1 = 0xcc9e2d51
  const c2 = 0x1b873593
  let h = 0
  const blocks = bytes.length & ~3
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
    k = Math.imul(k, c1)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, c2)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  const rest = bytes.length & 3
  if (rest > 0) {
    let k = bytes[blocks]!
    if (rest > 1) k ^= bytes[blocks + 1]! << 8
    if (rest > 2) k ^= bytes[blocks + 2]! << 16
    k = Math.imul(k, c1)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, c2)
    h ^= k
  }
  h ^= bytes.length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

const devSuffix = (config: Config) => (config.dev ? '_dev' : '')

/** The session cookie's name: `serve.cookies.names.session`, `_dev` appended under --dev (as Hydra). */
export const sessionCookieName = (config: Config) => `${config.serve.cookies.names.session}${devSuffix(config)}`

/**
 * A CSRF cookie's name as Hydra builds it: the configured name, `_dev` under --dev, then for a client's login or
 * consent `_` and the decimal murmur3 of the client id (`ory_hydra_login_csrf_dev_2918046155`). The device cookie is
 * set before the client is known, so it has no client part.
 */
export function csrfCookieName(config: Config, kind: CsrfKind, clientId: string | null): string {
  const { names } = config.serve.cookies
  if (kind === 'device') return `${names.device_csrf}${devSuffix(config)}`
  const base = kind === 'login' ? names.login_csrf : names.consent_csrf
  return `${base}${devSuffix(config)}_${murmur3(clientId ?? '')}`
}

/** SameSite of Gatehouse's cookies: None needs a secure https issuer, else it falls back to Lax. */
export function sameSiteOf(ctx: AppContext): 'Strict' | 'Lax' | 'None' {
  const mode = ctx.config.serve.cookies.same_site_mode
  if (mode === 'None' && (!ctx.issuer.startsWith('https://') || !secureCookies(ctx.config))) return 'Lax'
  return mode
}

/** Cookies are Secure outside --dev whatever the configuration says. */
export const secureCookies = (config: Config) => !config.dev || config.serve.cookies.secure

/** The cookies of a request by name (the first of duplicates wins). */
export function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq < 1) continue
    const name = part.slice(0, eq).trim()
    let value = part.slice(eq + 1).trim()
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1)
    if (name && !cookies.has(name)) cookies.set(name, value)
  }
  return cookies
}

export interface CookieAttributes {
  maxAgeSeconds: number
  path: string
  domain: string
  secure: boolean
  sameSite: 'Strict' | 'Lax' | 'None'
}

/** A Set-Cookie value; always HttpOnly. A max age of 0 deletes the cookie. */
export function serializeCookie(name: string, value: string, a: CookieAttributes): string {
  const parts = [`${name}=${value}`, `Path=${a.path}`, `Max-Age=${Math.max(0, Math.floor(a.maxAgeSeconds))}`]
  if (a.maxAgeSeconds <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT')
  if (a.domain) parts.push(`Domain=${a.domain}`)
  parts.push('HttpOnly')
  if (a.secure) parts.push('Secure')
  parts.push(`SameSite=${a.sameSite}`)
  return parts.join('; ')
}

/** The browser of one request: reads its cookies, collects the Set-Cookie headers of the response. */
export class HttpBrowser implements Browser {
  /** Set-Cookie header values, in order. */
  readonly setCookies: string[] = []
  readonly #ctx: AppContext
  readonly #cookies: Map<string, string>

  constructor(ctx: AppContext, request: Request) {
    this.#ctx = ctx
    this.#cookies = parseCookies(request.headers.get('cookie'))
  }

  readCsrf(kind: CsrfKind, clientId: string | null): string | null {
    return this.#open(csrfCookieName(this.#ctx.config, kind, clientId))
  }

  writeCsrf(kind: CsrfKind, clientId: string | null, value: string): void {
    const name = csrfCookieName(this.#ctx.config, kind, clientId)
    this.#write(name, value, this.#ctx.config.ttl.login_consent_request, '/')
  }

  readSessionId(): string | null {
    return this.#open(sessionCookieName(this.#ctx.config))
  }

  writeSession(sid: string, maxAgeMs: number): void {
    this.#write(sessionCookieName(this.#ctx.config), sid, maxAgeMs, this.#ctx.config.serve.cookies.paths.session)
  }

  clearSession(): void {
    const name = sessionCookieName(this.#ctx.config)
    this.setCookies.push(serializeCookie(name, '', this.#attributes(0, this.#ctx.config.serve.cookies.paths.session)))
  }

  /** Appends the collected cookies to a response's headers. */
  apply(headers: Headers): void {
    for (const cookie of this.setCookies) headers.append('set-cookie', cookie)
  }

  #open(name: string): string | null {
    const sealed = this.#cookies.get(name)
    if (!sealed || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null
    try {
      return this.#ctx.cookieSealer.open(sealed, `cookie:${name}`)
    } catch {
      return null
    }
  }

  #write(name: string, value: string, maxAgeMs: number, path: string) {
    const sealed = this.#ctx.cookieSealer.seal(value, `cookie:${name}`)
    this.setCookies.push(serializeCookie(name, sealed, this.#attributes(maxAgeMs / 1000, path)))
  }

  #attributes(maxAgeSeconds: number, path: string): CookieAttributes {
    const { config } = this.#ctx
    return { maxAgeSeconds, path, domain: config.serve.cookies.domain, secure: secureCookies(config), sameSite: sameSiteOf(this.#ctx) }
  }
}
