import { randomBytes } from 'node:crypto'
import {
  basic,
  errorOf,
  openSharedPostgres,
  openSharedSqlite,
  startServer,
  TOKEN_URL,
  type CodeClient,
  type StoreFactory,
  type TestServer,
} from '../../_harness.ts'
import { s256 } from '../../../src/oauth2/pkce.ts'

/** A PKCE verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: s256(verifier) }
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
