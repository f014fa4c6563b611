import { afterAll, expect } from 'bun:test'
import * as oauth from 'oauth4webapi'
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose'
import { AS, ISSUER, rp, startServer, via, type StoreFactory, type TestServer } from '../_harness.ts'
import {
  Browser,
  CONSENT_URL,
  LOGIN_URL,
  REDIRECT_URI,
  authorizeUrl,
  createCodeClient,
  locationOf,
  runFlow,
  type CodeClient,
  type FlowOptions,
} from './_flow.ts'
import type { Scheduler } from '../../src/oidc/logout/backchannel.ts'
import type { OAuth2Client } from '@ory/hydra-client'

export { Browser, createCodeClient, locationOf, type CodeClient }

export const LOGOUT_URL = 'https://login.test/logout'
export const POST_LOGOUT_URL = 'https://login.test/signed-out'
export const RP_LOGGED_OUT = 'https://client.test/logged-out'
export const END_SESSION = `${ISSUER}/oauth2/sessions/logout`

/** A scheduler driven by the test: nothing runs until asked, and every delay is recorded. */
export class ManualScheduler {
  readonly queue: { delayMs: number; task: () => Promise<void> }[] = []
  readonly schedule: Scheduler = (delayMs, task) => {
    this.queue.push({ delayMs, task })
  }

  /** Runs the queued tasks, including those they queue, until none is left; returns their delays in order. */
  async drain(): Promise<number[]> {
    const delays: number[] = []
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      delays.push(next.delayMs)
      await next.task()
    }
    return delays
  }
}

export interface LogoutServer extends TestServer {
  scheduler: ManualScheduler
}

/** A server with login, consent and logout apps at login.test and a manual back-channel scheduler. */
export async function startLogoutServer(factory: StoreFactory, overrides: Record<string, unknown> = {}): Promise<LogoutServer> {
  const scheduler = new ManualScheduler()
  const config: Record<string, unknown> = {
    'urls.login': LOGIN_URL,
    'urls.consent': CONSENT_URL,
    'urls.logout': LOGOUT_URL,
    'urls.post_logout_redirect': POST_LOGOUT_URL,
    ...overrides,
  }
  // null leaves a URL unconfigured.
  for (const [key, value] of Object.entries(config)) if (value === null) delete config[key]
  const s = await startServer(factory, config, { backchannel: { schedule: scheduler.schedule, backoffMs: 1000 } })
  return { ...s, scheduler }
}

export interface ReceivedLogout {
  contentType: string | null
  params: URLSearchParams
}

/** A relying party's back-channel logout endpoint: a real HTTP server on 127.0.0.1 answering `statuses` in turn, then 200. */
export class Receiver {
  readonly calls: ReceivedLogout[] = []
  readonly #statuses: number[]
  readonly #server: ReturnType<typeof Bun.serve>

  constructor(statuses: number[] = []) {
    this.#statuses = [...statuses]
    this.#server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: async (request) => {
        this.calls.push({ contentType: request.headers.get('content-type'), params: new URLSearchParams(await request.text()) })
        return new Response(null, { status: this.#statuses.shift() ?? 200 })
      },
    })
  }

  get url(): string {
    return `http://127.0.0.1:${this.#server.port}/backchannel-logout`
  }

  stop() {
    void this.#server.stop(true)
  }
}

/** A client with front- and back-channel logout and a post-logout redirect URI. */
export function createLogoutClient(s: TestServer, body: OAuth2Client = {}): Promise<CodeClient> {
  return createCodeClient(s, { post_logout_redirect_uris: [RP_LOGGED_OUT], ...body })
}

export interface SignedIn {
  idToken: string
  accessToken: string
  refreshToken: string | undefined
  sid: string
  claims: JWTPayload
}

/** Logs `b` in through the real authorization endpoint (remembered session) and redeems the code with oauth4webapi. */
export async function signIn(s: TestServer, b: Browser, client: CodeClient, options: FlowOptions = {}): Promise<SignedIn> {
  const url = authorizeUrl(client, { scope: 'openid offline_access' })
  const res = await runFlow(s, b, url, { login: { remember: true, ...options.login }, ...(options.consent && { consent: options.consent }) })
  const relyingParty = rp(s, client)
  const params = oauth.validateAuthResponse(AS, relyingParty, locationOf(res), 'state-0123456789')
  const auth = oauth.ClientSecretBasic(client.client_secret!)
  const tokenRes = await oauth.authorizationCodeGrantRequest(AS, relyingParty, auth, params, REDIRECT_URI, oauth.nopkce, via(s))
  const tokens = await oauth.processAuthorizationCodeResponse(AS, relyingParty, tokenRes)
  const claims = decodeJwt(tokens.id_token!)
  return { idToken: tokens.id_token!, accessToken: tokens.access_token, refreshToken: tokens.refresh_token, sid: claims.sid as string, claims }
}

/** The end-session URL with `params`. */
export function endSessionUrl(params: Record<string, string> = {}): string {
  const url = new URL(END_SESSION)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return url.href
}

/** The logout challenge of a redirect to the logout app. */
export function logoutChallengeOf(res: Response): string {
  const url = locationOf(res)
  expect(`${url.origin}${url.pathname}`).toBe(LOGOUT_URL)
  return url.searchParams.get('logout_challenge')!
}

/** Asserts the built-in error page with `status` and `error`. */
export async function expectErrorPage(res: Response, status: number, error: string): Promise<string> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toStartWith('text/html')
  const html = await res.text()
  expect(/<code>([^<]*)<\/code>/.exec(html)?.[1]).toBe(error)
  return html
}

/** Asserts a JSON error body with `status` and `error`. */
export async function expectJsonError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status)
  const body = (await res.json()) as { error: string; error_description: string }
  expect(body.error).toBe(error)
  return body
}

/** Verifies a logout token with the published keys, as a relying party would. */
export async function verifyLogoutToken(s: TestServer, token: string, clientId: string) {
  const jwks = (await (await s.publicFetch('http://localhost/.well-known/jwks.json')).json()) as Parameters<typeof createLocalJWKSet>[0]
  return jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: ISSUER,
    audience: clientId,
    typ: 'logout+jwt',
    currentDate: new Date(s.clock()),
    requiredClaims: ['iat', 'exp', 'jti', 'events', 'sid'],
  })
}

/** The session cookie's name in tests (no --dev). */
export const SESSION_COOKIE = 'ory_hydra_session'

/** A factory of back-channel receivers for one test file; every receiver it made is stopped after the file. */
export function receiverFactory(): (statuses?: number[]) => Receiver {
  const made: Receiver[] = []
  afterAll(() => made.forEach((r) => r.stop()))
  return (statuses: number[] = []) => {
    const r = new Receiver(statuses)
    made.push(r)
    return r
  }
}
