import { afterAll, expect } from 'bun:test'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'
import {
  AS,
  Browser,
  createCodeClient,
  errorPageOf,
  ISSUER,
  local,
  locationOf,
  REDIRECT_URI,
  rp,
  runFlow,
  type CodeClient,
  type TestServer,
} from '../../_harness.ts'
import type { OAuth2Client } from '@ory/hydra-client'

/** A client's signing key: the private half signs request objects, the public JWK is registered. */
export interface ClientKey {
  alg: 'ES256' | 'RS256' | 'PS256'
  kid: string
  privateKey: CryptoKey
  jwk: JWK
}

export async function clientKey(alg: ClientKey['alg'] = 'ES256', kid = 'k1'): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

/** A confidential code client that signs request objects with `key` (its public JWK registered as `jwks`). */
export const createJarClient = (s: TestServer, key: ClientKey, body: OAuth2Client = {}): Promise<CodeClient> =>
  createCodeClient(s, { jwks: { keys: [key.jwk] } as OAuth2Client['jwks'], ...body })

/** The usual authorization request parameters, which a request object carries. */
export const requestParams = (extra: Record<string, string> = {}): Record<string, string> => ({
  response_type: 'code',
  redirect_uri: REDIRECT_URI,
  scope: 'openid',
  state: 'state-0123456789',
  ...extra,
})

/**
 * A request object as oauth4webapi issues it (iss, aud, iat, nbf, exp = iat + 60, jti, typ oauth-authz-req+jwt) at
 * the server's clock; `modify` changes header or claims before signing.
 */
export function issue(
  s: TestServer,
  c: { client_id: string },
  key: ClientKey,
  params: Record<string, string> = requestParams(),
  modify?: (header: Record<string, unknown>, claims: Record<string, unknown>) => void,
): Promise<string> {
  return oauth.issueRequestObject(AS, rp(s, c), params, { key: key.privateKey, kid: key.kid }, modify ? { [oauth.modifyAssertion]: modify } : {})
}

/** An unsigned request object (alg none) at the server's clock. */
export function unsigned(s: TestServer, c: { client_id: string }, params: Record<string, string> = requestParams()): string {
  const now = Math.floor(s.clock() / 1000)
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  return `${part({ alg: 'none' })}.${part({ ...params, client_id: c.client_id, iss: c.client_id, aud: ISSUER, iat: now, exp: now + 60 })}.`
}

/** The authorization URL that passes `extra` (a request or request_uri) for client `c`. */
export function jarUrl(c: { client_id: string }, extra: Record<string, string>): string {
  const url = new URL(`${ISSUER}/oauth2/auth`)
  url.searchParams.set('client_id', c.client_id)
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v)
  return url.href
}

/** openid-client's configuration for client `c`, discovered from the server and routed into the app, its clock the server's. */
export function openidClient(s: TestServer, c: CodeClient): Promise<client.Configuration> {
  return client.discovery(
    new URL(ISSUER),
    c.client_id,
    { id_token_signed_response_alg: s.ctx.config.keys.algorithms.id_token, [client.clockSkew]: rp(s, c)[oauth.clockSkew] },
    client.ClientSecretBasic(c.client_secret),
    { [client.customFetch]: (url, init) => s.publicFetch(local(url), init as RequestInit) },
  )
}

/**
 * The rest of a code flow after `url`: login and consent accepted, the code redeemed by openid-client with PKCE,
 * state and nonce checked. Returns the ID token claims.
 */
export async function redeem(s: TestServer, config: client.Configuration, url: string, checks: { verifier: string; state: string; nonce: string }) {
  const res = await runFlow(s, new Browser(s), url)
  const tokens = await client.authorizationCodeGrant(config, locationOf(res), {
    pkceCodeVerifier: checks.verifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
  })
  return tokens.claims()!
}

/** Asserts the built-in error page (never a redirect) with this status and error. */
export async function expectRefused(res: Response, error: string, describes?: RegExp) {
  expect(res.headers.get('location')).toBeNull()
  const page = await errorPageOf(res)
  expect({ status: page.status, error: page.error }).toEqual({ status: 400, error })
  if (describes) expect(page.description).toMatch(describes)
}

/** A web server on 127.0.0.1 whose answer per path each test sets (request_uri and jwks_uri hosts). */
export function localHost() {
  const routes = new Map<string, () => Response | Promise<Response>>()
  let hits = 0
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req) {
      hits++
      const route = routes.get(new URL(req.url).pathname)
      return route ? route() : new Response('not found', { status: 404 })
    },
  })
  afterAll(() => {
    void server.stop(true)
  })
  let seq = 0
  return {
    /** A fresh path answered by `respond`; returns its URL. */
    serve(respond: () => Response | Promise<Response>, name = 'request.jwt'): string {
      const path = `/${seq++}/${name}`
      routes.set(path, respond)
      return `http://127.0.0.1:${server.port}${path}`
    },
    get hits() {
      return hits
    },
  }
}
