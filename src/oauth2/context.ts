import type { OAuth2Client } from '../protocol/client.ts'
import type { CoreContext } from '../protocol/context.ts'
import type { IdTokenInput } from './authorize_session.ts'
import type { GrantRegistry } from './grants/index.ts'
import type { Issuance } from './issue.ts'
import type { JwksCache } from './jwks_cache.ts'

/** A token request whose grant decided what to issue, before anything is minted. */
export interface TokenHookInput {
  grantType: string
  /** The client the tokens go to. */
  client: OAuth2Client
  issuance: Issuance
  /** The request's parameters after undeclared ones were stripped. */
  params: ReadonlyMap<string, string>
  requestedAt: number
}

/** The token hook point, between a grant's decision and minting (plugins' `token.claims`, Hydra's token webhooks). */
export interface TokenHooks {
  /** The issuance to mint, with the claims the hooks added; throws (an OAuthError) to refuse before any token exists. */
  apply(input: TokenHookInput): Promise<Issuance>
}

/** Signs the ID tokens of the grants that issue them (OpenID Connect; src/oidc/id_token.ts). */
export interface IdTokenSigner {
  sign(input: IdTokenInput): Promise<string>
}

/** What OAuth 2.0 (authorization and token endpoints, introspection, revocation) needs of an app. */
export interface OAuth2Context extends CoreContext {
  /** The token endpoint's grant types: the built-in ones and those plugins added. */
  readonly grants: GrantRegistry
  readonly tokenHooks: TokenHooks
  /** Clients' remote JWK sets (`jwks_uri`) for private_key_jwt, fetched through the outbound guard and cached. */
  readonly jwksCache: JwksCache
  readonly idTokens: IdTokenSigner
}
