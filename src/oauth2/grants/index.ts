import type { OAuth2Client } from '../../protocol/client.ts'
import { UnauthorizedClient } from '../../protocol/errors.ts'
import type { OAuth2Context } from '../context.ts'
import type { Issuance } from '../issue.ts'
import { authorizationCodeGrant } from './authorization_code.ts'
import { clientCredentialsGrant } from './client_credentials.ts'
import { jwtBearerGrant } from './jwt_bearer.ts'
import { deviceCodeGrant } from './device_code.ts'
import { refreshTokenGrant } from './refresh_token.ts'

export type { Issuance, MintedTokens, TokenResponse } from '../issue.ts'

/** A token request as a grant handler sees it; `C` is what client authentication yielded. */
export interface TokenRequest<C extends OAuth2Client | null = OAuth2Client | null> {
  /** The `grant_type` the request named. */
  readonly grantType: string
  /** The request's parameters, reduced to the grant's declared `params` and the client authentication ones. */
  readonly params: ReadonlyMap<string, string>
  /** The authenticated client; null only for a grant with `clientAuth: 'optional'` when no client authenticated. */
  readonly client: C
  /** When the request arrived, in epoch milliseconds from the server's clock. */
  readonly requestedAt: number
}

/**
 * One grant type of the token endpoint (RFC 6749 §4, and extension grants per RFC 6749 §4.5). A handler
 * decides what to issue; the core parses the request, strips parameters the grant did not declare,
 * authenticates the client, checks that the client may use the grant, and mints and stores the tokens.
 */
interface Grant<Auth extends 'required' | 'optional', C extends OAuth2Client | null> {
  /** The `grant_type` value this handler answers, e.g. `client_credentials` or an absolute URI. */
  readonly grantType: string
  /** Request parameters the grant reads besides `grant_type` and client authentication; all others are dropped. */
  readonly params: readonly string[]
  /**
   * `required`: the request must authenticate a client (or name a public one), and the handler always receives
   * it. `optional`: a request without client credentials reaches the handler with `client: null`; presented
   * credentials are still verified.
   */
  readonly clientAuth: Auth
  /**
   * Decides what to issue, or throws an OAuthError (`invalid_grant`, `invalid_scope`, …) to refuse.
   * Anything but a complete Issuance makes the core fail closed with `server_error`, issuing nothing.
   */
  handle(ctx: OAuth2Context, req: TokenRequest<C>): Promise<Issuance>
}

/** A grant for authenticated clients only. */
export type ClientGrant = Grant<'required', OAuth2Client>

/** A grant a request may use without client credentials. */
export type OpenGrant = Grant<'optional', OAuth2Client | null>

export type GrantHandler = ClientGrant | OpenGrant

/** RFC 6749 §5.2: unauthorized_client when the client is not registered for the grant type. */
export function assertGrantAllowed(client: OAuth2Client, grantType: string): void {
  if (!(client.grant_types ?? []).includes(grantType)) {
    throw UnauthorizedClient.with({ hint: `The OAuth 2.0 Client is not allowed to use authorization grant "${grantType}".` })
  }
}

/** The grant types of one app, keyed by `grant_type`. */
export class GrantRegistry {
  readonly #grants = new Map<string, GrantHandler>()

  constructor(grants: readonly GrantHandler[] = []) {
    for (const grant of grants) this.register(grant)
  }

  /** Adds a grant; throws a TypeError for a malformed handler or a `grant_type` already registered. */
  register(grant: GrantHandler): void {
    if (!grant || typeof grant.grantType !== 'string' || !grant.grantType.trim()) throw new TypeError('a grant needs a grantType')
    if (typeof grant.handle !== 'function') throw new TypeError(`grant "${grant.grantType}" needs a handle function`)
    if (!Array.isArray(grant.params) || !grant.params.every((p) => typeof p === 'string')) {
      throw new TypeError(`grant "${grant.grantType}" needs a params list`)
    }
    const clientAuth: string = grant.clientAuth
    if (clientAuth !== 'required' && clientAuth !== 'optional') {
      throw new TypeError(`grant "${grant.grantType}" needs clientAuth 'required' or 'optional'`)
    }
    if (this.#grants.has(grant.grantType)) throw new TypeError(`grant "${grant.grantType}" is already registered`)
    this.#grants.set(grant.grantType, grant)
  }

  get(grantType: string): GrantHandler | undefined {
    return this.#grants.get(grantType)
  }

  /** Registered grant types, in registration order. */
  types(): string[] {
    return [...this.#grants.keys()]
  }
}

/** The grants Gatehouse ships. */
export const BUILT_IN_GRANTS: readonly GrantHandler[] = [
  authorizationCodeGrant,
  clientCredentialsGrant,
  refreshTokenGrant,
  jwtBearerGrant,
  deviceCodeGrant,
]
