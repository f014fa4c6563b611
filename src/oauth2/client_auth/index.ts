import type { TokenEndpointAuthMethod } from '../../protocol/client.ts'
import type { OAuth2Context } from '../context.ts'
import type { ClientRecord } from '../../protocol/services.ts'
import { InvalidClient, InvalidRequest, OAuthError } from '../../protocol/errors.ts'
import type { ClientAuthInput, ClientAuthMethodHandler } from '../types.ts'
import { clientSecretBasic } from './client_secret_basic.ts'
import { clientSecretJwt } from './client_secret_jwt.ts'
import { clientSecretPost } from './client_secret_post.ts'
import { none } from './none.ts'
import { privateKeyJwt } from './private_key_jwt.ts'

/** Every client authentication method Gatehouse accepts. */
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethodHandler[] = [
  clientSecretBasic,
  clientSecretPost,
  privateKeyJwt,
  clientSecretJwt,
  none,
]

/** The names of CLIENT_AUTH_METHODS (`token_endpoint_auth_methods_supported`). */
export const CLIENT_AUTH_METHOD_NAMES: readonly TokenEndpointAuthMethod[] = CLIENT_AUTH_METHODS.map((m) => m.method)

/** Form parameters that belong to client authentication rather than to a grant. */
export const CLIENT_AUTH_PARAMS: readonly string[] = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type']

export interface AuthenticateOptions {
  /** Whether a request without any client credentials is refused (else it yields null). */
  required: boolean
}

const CHALLENGE = { 'www-authenticate': 'Basic realm="gatehouse", charset="UTF-8"' }

async function authenticate(ctx: OAuth2Context, input: ClientAuthInput, opts: AuthenticateOptions): Promise<ClientRecord | null> {
  const presented = CLIENT_AUTH_METHODS.filter((m) => m.presents(input))
  // RFC 6749 §2.3: the client MUST NOT use more than one authentication method in each request.
  if (presented.length > 1) {
    throw InvalidRequest.with({
      hint: `Client authentication must use exactly one method, but the request presents ${presented.map((m) => `"${m.method}"`).join(' and ')}.`,
    })
  }
  const method = presented[0]
  if (!method) {
    if (!opts.required) return null
    throw InvalidClient.with({ hint: 'The request presents no client credentials.' })
  }
  const id = method.claimedClientId(input)
  if (!id) throw InvalidClient.with({ hint: 'The client credentials do not name a client.' })
  const param = input.params.get('client_id')
  if (param !== undefined && param !== id) {
    throw InvalidClient.with({ hint: 'The client_id parameter does not match the authenticated client.' })
  }
  const record = await ctx.clients.get(id)
  if (!record) throw InvalidClient.with({ debug: 'The client does not exist.' })
  const registered = record.client.token_endpoint_auth_method ?? 'client_secret_basic'
  if (method.method !== registered) {
    throw InvalidClient.with({
      hint: `The OAuth 2.0 Client supports client authentication method "${registered}", but method "${method.method}" was requested.`,
    })
  }
  await method.verify(ctx, record, input)
  return record
}

/**
 * Finds the one client authentication method a request presents, looks up the client it claims, enforces
 * the client's registered `token_endpoint_auth_method` and verifies the credentials. Failures are 401
 * invalid_client with a `WWW-Authenticate` challenge (RFC 6749 §5.2); more than one method is 400.
 */
export async function authenticateClient(ctx: OAuth2Context, input: ClientAuthInput, opts: { required: true }): Promise<ClientRecord>
export async function authenticateClient(ctx: OAuth2Context, input: ClientAuthInput, opts: AuthenticateOptions): Promise<ClientRecord | null>
export async function authenticateClient(
  ctx: OAuth2Context,
  input: ClientAuthInput,
  opts: AuthenticateOptions,
): Promise<ClientRecord | null> {
  try {
    return await authenticate(ctx, input, opts)
  } catch (err) {
    // RFC 6749 §5.2: a 401 MUST carry a WWW-Authenticate header matching the scheme the client used.
    if (err instanceof OAuthError && err.status === 401) throw err.with({ headers: { ...err.headers, ...CHALLENGE } })
    throw err
  }
}

/**
 * The client a request names, before anything is verified: the client its one set of credentials claims, else its
 * `client_id` parameter; null when it names none or presents more than one method.
 */
export function claimedClientId(input: ClientAuthInput): string | null {
  const presented = CLIENT_AUTH_METHODS.filter((m) => m.presents(input))
  if (presented.length > 1) return null
  try {
    return presented[0]?.claimedClientId(input) || input.params.get('client_id') || null
  } catch {
    return null
  }
}
