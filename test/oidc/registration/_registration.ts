import { expect } from 'bun:test'
import { local, startServer, type StoreFactory, type TestServer } from '../../_harness.ts'

export const REGISTER_URL = 'http://localhost/oauth2/register'

/** The config key that turns dynamic client registration on. */
export const ENABLED = { 'oidc.dynamic_client_registration.enabled': true }

/** A server with dynamic client registration enabled. */
export const startRegistrationServer = (factory: StoreFactory, overrides: Record<string, unknown> = {}) =>
  startServer(factory, { ...ENABLED, ...overrides })

/** A client information response (RFC 7591 §3.2.1) as the tests read it. */
export type Registered = Record<string, unknown> & {
  client_id: string
  client_secret?: string
  registration_access_token: string
  registration_client_uri: string
}

/** POSTs `body` (JSON, or a raw string) to the registration endpoint. */
export function postRegistration(s: TestServer, body: unknown): Promise<Response> {
  return s.publicFetch(REGISTER_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** Registers a client with fetch and returns the 201 answer's body. */
export async function register(s: TestServer, body: Record<string, unknown> = {}): Promise<Registered> {
  const res = await postRegistration(s, body)
  expect(res.status).toBe(201)
  return (await res.json()) as Registered
}

/** A request to a client configuration endpoint (RFC 7592): `uri` as the server returned it, `token` as a Bearer token. */
export function manage(s: TestServer, method: string, uri: string, token?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  return s.publicFetch(local(uri), {
    method,
    headers,
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
}

/** Axios options of Ory's SDK that send a registration access token. */
export const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } })
