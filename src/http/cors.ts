import type { Config } from '../config/schema.ts'
import type { AppContext } from '../context.ts'
import type { Logger } from '../log.ts'
import { claimedClientId } from '../oauth2/client_auth/index.ts'
import { activeAccessToken, bearerToken } from '../oidc/userinfo.ts'
import { readForm } from './body.ts'

type CorsOptions = Config['serve']['public']['cors']

/** The client a request names, whose `allowed_cors_origins` then apply; null when it names none. */
type ClientOf = (ctx: AppContext, request: Request, path: string) => Promise<string | null>

/** A public route that allows more than the configured origins: any origin, or the origins of the client a request names. */
export interface CorsRoute {
  readonly path: string | RegExp
  readonly allows: 'any_origin' | ClientOf
}

/** The client of the credentials (Basic, client assertion) or `client_id` of a form body. */
const namedByCredentials: ClientOf = async (_ctx, request) => {
  const params = await readForm(request.clone() as Request).catch(() => new Map<string, string>())
  return claimedClientId({ params, authorization: request.headers.get('authorization'), audiences: [] })
}

/** The client an active Bearer access token was issued to. */
const namedByAccessToken: ClientOf = async (ctx, request) => {
  try {
    const token = bearerToken({ authorization: request.headers.get('authorization'), tokenInQuery: false, tokenInBody: false })
    return (await activeAccessToken(ctx, token)).row.client_id
  } catch {
    return null
  }
}

const REGISTRATION = '/oauth2/register'

/** The client an RFC 7592 management path names. */
const namedByRegistrationPath: ClientOf = async (_ctx, _request, path) => {
  try {
    return decodeURIComponent(path.slice(REGISTRATION.length + 1))
  } catch {
    return null
  }
}

const namesNoClient: ClientOf = async () => null

/**
 * Hydra's per-client CORS (its oauth2cors middleware) on the public API: these routes also allow the origins of the
 * client a request names, and preflights from any origin (they carry no credentials); discovery and the JWKS are
 * public documents, readable from any origin.
 */
export const PUBLIC_CORS_ROUTES: readonly CorsRoute[] = [
  { path: '/.well-known/openid-configuration', allows: 'any_origin' },
  { path: '/.well-known/oauth-authorization-server', allows: 'any_origin' },
  { path: '/.well-known/jwks.json', allows: 'any_origin' },
  { path: '/oauth2/token', allows: namedByCredentials },
  { path: '/oauth2/revoke', allows: namedByCredentials },
  { path: '/userinfo', allows: namedByAccessToken },
  { path: '/credentials', allows: namedByAccessToken },
  { path: REGISTRATION, allows: namesNoClient },
  { path: /^\/oauth2\/register\/[^/]+$/, allows: namedByRegistrationPath },
]

function routeFinder(routes: readonly CorsRoute[]): (path: string) => CorsRoute | undefined {
  const exact = new Map<string, CorsRoute>()
  const patterns: CorsRoute[] = []
  for (const route of routes) {
    if (typeof route.path === 'string') exact.set(route.path, route)
    else patterns.push(route)
  }
  return (path) => exact.get(path) ?? patterns.find((r) => (r.path as RegExp).test(path))
}

const SCHEME_WILDCARD = /^[a-z][a-z0-9+.-]*:\/\/\*$/
const DOMAIN = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/

/**
 * Whether a wildcard is bounded, as Hydra requires: the fixed domain after the label holding the `*` has at least
 * two labels, so `https://*.example.com` counts and `https://*.com` or `https://*foo.com` do not. (Hydra asks for a
 * registrable domain from the public suffix list; two labels is the approximation without one.)
 */
function boundedWildcard(pattern: string): boolean {
  const rest = pattern.slice(pattern.indexOf('*'))
  const dot = rest.indexOf('.')
  if (dot < 0) return false
  const base = rest.slice(dot + 1).replace(/:\d*$/, '')
  return DOMAIN.test(base)
}

/** Whether an origin pattern is honoured: `*`, an exact origin, `scheme://*`, or one bounded wildcard. */
export const usableOriginPattern = (pattern: string): boolean => {
  const p = pattern.toLowerCase()
  const star = p.indexOf('*')
  return p === '*' || star < 0 || SCHEME_WILDCARD.test(p) || (star === p.lastIndexOf('*') && boundedWildcard(p))
}

/** Whether an allowed-origin pattern matches an origin, case-insensitively (rs/cors and Hydra's matching). */
export function originMatches(pattern: string, origin: string): boolean {
  const p = pattern.toLowerCase()
  const o = origin.toLowerCase()
  if (p === '*') return true
  const star = p.indexOf('*')
  if (star < 0) return p === o
  if (!usableOriginPattern(p)) return false
  const prefix = p.slice(0, star)
  const suffix = p.slice(star + 1)
  return o.length >= prefix.length + suffix.length && o.startsWith(prefix) && o.endsWith(suffix)
}

/** What the shell calls for each request: answers preflights itself, adds Access-Control-* headers to the rest. */
export type CorsLayer = (request: Request, path: string, next: () => Promise<Response>) => Promise<Response>

const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'

/** Hydra's OPTIONS answer on its CORS routes: an empty 200 (rs/cors answers preflights before it, with 204). */
const optionsAnswer = () => new Response(null, { status: 200 })

class CorsPolicy {
  readonly #ctx: AppContext
  readonly #options: CorsOptions
  readonly #log: Logger
  readonly #routeOf: (path: string) => CorsRoute | undefined
  readonly #origins: readonly string[]
  readonly #anyOrigin: boolean
  readonly #methods: ReadonlySet<string>
  readonly #headers: ReadonlySet<string>
  readonly #anyHeader: boolean

  constructor(ctx: AppContext, options: CorsOptions, log: Logger, routeOf: (path: string) => CorsRoute | undefined) {
    this.#ctx = ctx
    this.#options = options
    this.#log = log
    this.#routeOf = routeOf
    for (const pattern of options.allowed_origins) {
      if (!usableOriginPattern(pattern)) log.warn('ignoring a CORS origin with an unbounded wildcard; use the form https://*.example.com', { pattern })
    }
    this.#origins = options.allowed_origins.filter(usableOriginPattern)
    // As in Hydra, an empty list allows every origin.
    this.#anyOrigin = options.allowed_origins.length === 0 || this.#origins.includes('*')
    this.#methods = new Set(options.allowed_methods.map((m) => m.toUpperCase()))
    const headers = options.allowed_headers.map((h) => h.toLowerCase())
    this.#anyHeader = headers.includes('*')
    this.#headers = new Set([...headers, 'origin'])
  }

  async handle(request: Request, path: string, next: () => Promise<Response>): Promise<Response> {
    const route = this.#routeOf(path)
    if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) return this.#preflight(request, path, route)
    const origin = request.headers.get('origin')
    // Decided before the handler runs: a client named in the body is read from a copy of it.
    const allowed = origin !== null && (await this.#allowsActual(request, path, origin, route))
    const response = request.method === 'OPTIONS' && route ? optionsAnswer() : await next()
    response.headers.append('vary', 'Origin')
    if (origin === null) return response
    if (!allowed) return this.#refuse(response, request, path, 'origin not allowed')
    if (!this.#methodAllowed(request.method)) return this.#refuse(response, request, path, 'method not allowed')
    response.headers.set('access-control-allow-origin', origin)
    if (this.#options.exposed_headers.length) response.headers.set('access-control-expose-headers', this.#options.exposed_headers.join(', '))
    if (this.#options.allow_credentials) response.headers.set('access-control-allow-credentials', 'true')
    return response
  }

  #configured(origin: string): boolean {
    return this.#anyOrigin || this.#origins.some((p) => originMatches(p, origin))
  }

  async #allowsActual(request: Request, path: string, origin: string, route: CorsRoute | undefined): Promise<boolean> {
    if (this.#configured(origin)) return true
    if (!route) return false
    if (route.allows === 'any_origin' || request.method === 'OPTIONS') return true
    const clientId = await route.allows(this.#ctx, request, path)
    if (!clientId) return false
    const record = await this.#ctx.clients.get(clientId)
    return record?.client.allowed_cors_origins.some((p) => originMatches(p, origin)) ?? false
  }

  #methodAllowed(method: string): boolean {
    const m = method.toUpperCase()
    return m === 'OPTIONS' || this.#methods.has(m)
  }

  #preflight(request: Request, path: string, route: CorsRoute | undefined): Response {
    const answer = new Response(null, { status: 204, headers: { vary: PREFLIGHT_VARY } })
    const headers = answer.headers
    const origin = request.headers.get('origin')
    if (origin === null) return answer
    // Hydra's per-client routes accept every preflight: it carries no credentials naming a client.
    if (!this.#configured(origin) && !route) return this.#refuse(answer, request, path, 'origin not allowed')
    const method = request.headers.get('access-control-request-method')!
    if (!this.#methodAllowed(method)) return this.#refuse(answer, request, path, `method ${method} not allowed`)
    const requested = (request.headers.get('access-control-request-headers') ?? '').trim()
    const refused = this.#anyHeader ? [] : requested.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h && !this.#headers.has(h))
    if (refused.length) return this.#refuse(answer, request, path, `headers ${refused.join(', ')} not allowed`)
    headers.set('access-control-allow-origin', origin)
    headers.set('access-control-allow-methods', method)
    if (requested) headers.set('access-control-allow-headers', requested)
    if (this.#options.allow_credentials) headers.set('access-control-allow-credentials', 'true')
    if (this.#options.max_age > 0) headers.set('access-control-max-age', String(this.#options.max_age))
    return answer
  }

  /** The response without Access-Control-* headers; with `debug`, a log line saying why (no credentials in it). */
  #refuse(response: Response, request: Request, path: string, reason: string): Response {
    if (this.#options.debug) {
      this.#log.info('cors: no Access-Control-* headers', { method: request.method, path, origin: request.headers.get('origin'), reason })
    }
    return response
  }
}

/**
 * CORS for one API, as Hydra configures it under `serve.<api>.cors` (rs/cors): preflights on every path answered
 * 204, and the Access-Control-* headers on answers to allowed origins. Off, it answers only OPTIONS on Hydra's CORS
 * routes (an empty 200) and adds nothing.
 */
export function corsLayer(ctx: AppContext, api: 'public' | 'admin', log: Logger): CorsLayer {
  const routeOf = routeFinder(api === 'public' ? PUBLIC_CORS_ROUTES : [])
  const options = ctx.config.serve[api].cors
  if (!options.enabled) {
    return (request, path, next) => (request.method === 'OPTIONS' && routeOf(path) ? Promise.resolve(optionsAnswer()) : next())
  }
  const policy = new CorsPolicy(ctx, options, log, routeOf)
  return (request, path, next) => policy.handle(request, path, next)
}
