import { randomBytes } from 'node:crypto'
import * as oauth from 'oauth4webapi'
import type { OAuth2Client as SdkClient } from '@ory/hydra-client'
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose'
import {
  AS,
  basic,
  errorOf,
  ISSUER,
  openSharedPostgres,
  openSharedSqlite,
  rp,
  startServer,
  TOKEN_URL,
  via,
  type StoreFactory,
  type TestServer,
} from '../../_harness.ts'
import { mintAuthorizationCode } from '../../../src/oauth2/authorization_code.ts'
import type { AuthorizeSession } from '../../../src/oauth2/authorize_session.ts'
import { s256 } from '../../../src/oauth2/pkce.ts'

export const REDIRECT_URI = 'http://localhost/cb'

export type CodeClient = SdkClient & { client_id: string; client_secret: string }

/** A confidential authorization_code + refresh_token client created through Ory's SDK. */
export async function createCodeClient(s: TestServer, body: SdkClient = {}): Promise<CodeClient> {
  const { data } = await s.hydra.oauth2.createOAuth2Client({
    oAuth2Client: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid offline_access offline profile email',
      ...body,
    },
  })
  return data as CodeClient
}

export const auth = (client: CodeClient): oauth.ClientAuth =>
  client.token_endpoint_auth_method === 'none' ? oauth.None() : oauth.ClientSecretBasic(client.client_secret)

/** A PKCE verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: s256(verifier) }
}

/** What a login + consent would have produced, with test defaults. */
export function authorizeSession(s: TestServer, overrides: Partial<AuthorizeSession> = {}): AuthorizeSession {
  const now = Math.floor(s.clock() / 1000)
  return {
    redirect_uri: REDIRECT_URI,
    effective_redirect_uri: REDIRECT_URI,
    code_challenge: null,
    code_challenge_method: null,
    nonce: null,
    subject: 'alice',
    force_subject_identifier: null,
    sid: 'login-session-1',
    auth_time: now - 60,
    requested_at: now - 30,
    acr: '',
    amr: [],
    id_token_claims: {},
    access_token_claims: {},
    consent_request_id: `consent-${randomBytes(8).toString('hex')}`,
    ...overrides,
  }
}

export interface CodeOptions {
  scope?: string[]
  audience?: string[]
  session?: Partial<AuthorizeSession>
}

/** Mints a code as the authorization endpoint would once consent is given. */
export async function issueCode(s: TestServer, client: { client_id: string }, opts: CodeOptions = {}): Promise<string> {
  const record = await s.ctx.clients.get(client.client_id)
  if (!record) throw new Error(`no client ${client.client_id}`)
  const scope = opts.scope ?? ['openid', 'offline_access']
  const audience = opts.audience ?? []
  return mintAuthorizationCode(s.ctx, {
    client: record.client,
    granted_scope: scope,
    granted_audience: audience,
    requested_scope: scope,
    requested_audience: audience,
    session: authorizeSession(s, opts.session),
  })
}

/** The authorization response's parameters as oauth4webapi validates them. */
export const callback = (client: { client_id: string }, code: string) =>
  oauth.validateAuthResponse(AS, { client_id: client.client_id }, new URL(`${REDIRECT_URI}?code=${code}&iss=${encodeURIComponent(ISSUER)}`), oauth.skipStateCheck)

export interface RedeemOptions {
  verifier?: string
  nonce?: string
  redirectUri?: string
}

/** Redeems a code with oauth4webapi, which validates the response and its ID token (nonce, at_hash, …). */
export async function redeem(s: TestServer, client: CodeClient, code: string, opts: RedeemOptions = {}): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.authorizationCodeGrantRequest(
    AS,
    rp(s, client),
    auth(client),
    callback(client, code),
    opts.redirectUri ?? REDIRECT_URI,
    opts.verifier ?? oauth.nopkce,
    via(s),
  )
  return oauth.processAuthorizationCodeResponse(AS, rp(s, client), res, { expectedNonce: opts.nonce ?? oauth.expectNoNonce })
}

/** Refreshes with oauth4webapi. */
export async function refresh(s: TestServer, client: CodeClient, token: string, params: Record<string, string> = {}): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.refreshTokenGrantRequest(AS, rp(s, client), auth(client), token, { ...via(s), additionalParameters: params })
  return oauth.processRefreshTokenResponse(AS, rp(s, client), res)
}

/** POSTs a form to the token endpoint as the client (client_secret_basic). */
export function tokenRequest(s: TestServer, client: CodeClient, form: Record<string, string>): Promise<Response> {
  return s.publicFetch(TOKEN_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret) },
    body: new URLSearchParams(form).toString(),
  })
}

/** Status and `error` of an error response: errorOf without the description. */
export async function statusAndError(res: Response): Promise<{ status: number; error: string }> {
  const { status, error } = await errorOf(res)
  return { status, error }
}

/** Verifies a JWT against the published JWKS and returns its claims. */
export async function verifyJwt(s: TestServer, jwt: string): Promise<JWTPayload> {
  const jwks = (await (await s.publicFetch('http://localhost/.well-known/jwks.json')).json()) as Parameters<typeof createLocalJWKSet>[0]
  const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks), { issuer: ISSUER, currentDate: new Date(s.clock()) })
  return payload
}

/** How many rows of a kind the store holds. */
export const count = (s: TestServer, kind: 'access_token' | 'refresh_token' | 'authorization_code') => s.store.tokens.count(kind)

/**
 * `n` apps over one database, each with its own store connection, as separate nodes would run; clients and
 * keys created through the first are seen by all.
 */
export async function cluster(factory: StoreFactory, n: number, overrides: Record<string, unknown> = {}): Promise<TestServer[]> {
  const shared = factory.name === 'postgres' ? await openSharedPostgres(n) : await openSharedSqlite(n)
  const servers: TestServer[] = []
  for (const store of shared.stores) servers.push(await startServer({ name: factory.name, open: async () => store }, overrides))
  return servers
}
