import type { OAuth2Client } from '@ory/hydra-client'
import { ISSUER, local, startServer, type StoreFactory, type TestServer } from '../_harness.ts'

export const LOGIN_URL = 'https://login.test/login'
export const CONSENT_URL = 'https://login.test/consent'
export const REDIRECT_URI = 'https://client.test/cb'

/** A server whose login and consent apps live at login.test (driven by the tests through Ory's SDK). */
export const startFlowServer = (factory: StoreFactory, overrides: Record<string, unknown> = {}) =>
  startServer(factory, { 'urls.login': LOGIN_URL, 'urls.consent': CONSENT_URL, ...overrides })

export type CodeClient = OAuth2Client & { client_id: string; client_secret?: string }

/** A confidential authorization_code client (client_secret_basic) created through Ory's SDK. */
export async function createCodeClient(s: TestServer, body: OAuth2Client = {}): Promise<CodeClient> {
  const { data } = await s.hydra.oauth2.createOAuth2Client({
    oAuth2Client: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid offline_access profile email',
      ...body,
    },
  })
  return data as CodeClient
}

/** A user agent: a cookie jar over the public API, redirects not followed. */
export class Browser {
  readonly cookies = new Map<string, string>()
  readonly #s: TestServer
  constructor(s: TestServer) {
    this.#s = s
  }

  /** GET (or POST a form to) an issuer URL, sending and storing cookies. */
  async open(url: string, form?: Record<string, string> | string): Promise<Response> {
    const headers: Record<string, string> = {}
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (cookie) headers.cookie = cookie
    const init: RequestInit = { headers, redirect: 'manual' }
    if (form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      init.method = 'POST'
      init.body = typeof form === 'string' ? form : new URLSearchParams(form).toString()
    }
    const res = await this.#s.publicFetch(local(url), init)
    this.store(res)
    return res
  }

  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq)
      if (/Max-Age=0(;|$)/.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, pair!.slice(eq + 1))
    }
  }
}

/** The authorization URL of a request, `params` on top of the usual ones. */
export function authorizeUrl(client: { client_id: string }, params: Record<string, string | undefined> = {}): string {
  const url = new URL(`${ISSUER}/oauth2/auth`)
  const all: Record<string, string | undefined> = {
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state: 'state-0123456789',
    ...params,
  }
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v)
  return url.href
}

/** The Location of a redirect, asserting it is one. */
export function locationOf(res: Response): URL {
  if (res.status !== 302) throw new Error(`expected a redirect, got ${res.status}`)
  return new URL(res.headers.get('location')!)
}

/** The challenge in a redirect to the login or consent app. */
export function challengeOf(res: Response, kind: 'login' | 'consent'): string {
  const url = locationOf(res)
  const expected = kind === 'login' ? LOGIN_URL : CONSENT_URL
  if (`${url.origin}${url.pathname}` !== expected) throw new Error(`expected the ${kind} app, got ${url.href}`)
  return url.searchParams.get(`${kind}_challenge`)!
}

export interface FlowOptions {
  login?: { subject?: string; remember?: boolean; remember_for?: number; acr?: string; amr?: string[]; context?: unknown; extend_session_lifespan?: boolean; force_subject_identifier?: string }
  consent?: { grant_scope?: string[]; grant_access_token_audience?: string[]; remember?: boolean; remember_for?: number; session?: { id_token?: object; access_token?: object } }
}

/** Login app: accepts the login challenge of `res` and follows the redirect back to the authorization endpoint. */
export async function acceptLogin(s: TestServer, b: Browser, res: Response, login: FlowOptions['login'] = {}): Promise<Response> {
  const challenge = challengeOf(res, 'login')
  const { data } = await s.hydra.oauth2.acceptOAuth2LoginRequest({
    loginChallenge: challenge,
    acceptOAuth2LoginRequest: { subject: 'alice', ...login },
  })
  return b.open(data.redirect_to)
}

/** Consent app: grants what was requested (or `consent`) and follows the redirect back. */
export async function acceptConsent(s: TestServer, b: Browser, res: Response, consent: FlowOptions['consent'] = {}): Promise<Response> {
  const challenge = challengeOf(res, 'consent')
  const { data: request } = await s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challenge })
  const { data } = await s.hydra.oauth2.acceptOAuth2ConsentRequest({
    consentChallenge: challenge,
    acceptOAuth2ConsentRequest: {
      grant_scope: request.requested_scope,
      grant_access_token_audience: request.requested_access_token_audience,
      ...consent,
    },
  })
  return b.open(data.redirect_to)
}

/** Runs a whole flow from the authorization URL to the client's redirect, accepting login and consent. */
export async function runFlow(s: TestServer, b: Browser, url: string, options: FlowOptions = {}): Promise<Response> {
  const login = await b.open(url)
  const consent = await acceptLogin(s, b, login, options.login)
  return acceptConsent(s, b, consent, options.consent)
}

/** The parameters of an authorization response redirect (query or fragment). */
export function responseParams(res: Response): URLSearchParams {
  const url = locationOf(res)
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams
}

/** Asserts the headers every redirect and HTML page of the browser-facing endpoints carries. */
export function securityHeadersOf(res: Response) {
  return {
    'cache-control': res.headers.get('cache-control'),
    'referrer-policy': res.headers.get('referrer-policy'),
    'x-frame-options': res.headers.get('x-frame-options'),
    frameAncestors: /(^|;)\s*frame-ancestors 'none'/.test(res.headers.get('content-security-policy') ?? ''),
  }
}

export const SECURE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', frameAncestors: true }

/** Error code and description shown by the built-in error page. */
export async function errorPageOf(res: Response): Promise<{ status: number; error: string; description: string }> {
  const html = await res.text()
  const text = (s = '') => s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!)
  const error = text(/<code>([^<]*)<\/code>/.exec(html)?.[1])
  const description = text(/<\/code><\/p><p>([^<]*)<\/p>/.exec(html)?.[1])
  return { status: res.status, error, description }
}

/** Rows in a table of the server's store. */
export async function rows(s: TestServer, table: string): Promise<number> {
  const [row] = await s.store.driver.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`)
  return Number(row!.n)
}

/** Status and body of an SDK call that must fail (axios rejects every non-2xx answer). */
export async function failure(call: Promise<unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    await call
  } catch (err) {
    const response = (err as { response?: { status: number; data: Record<string, unknown> } }).response
    if (response) return { status: response.status, body: response.data }
    throw err
  }
  throw new Error('the call succeeded')
}

/** A JSON response body as an object. */
export const bodyOf = async (res: Response) => (await res.json()) as Record<string, unknown>
