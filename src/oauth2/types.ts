import type { TokenEndpointAuthMethod } from '../protocol/client.ts'
import type { OAuth2Context } from './context.ts'
import type { Params } from '../protocol/params.ts'
import type { ClientRecord } from '../protocol/services.ts'

/** What a client authentication method sees of a request to the token, revocation or similar endpoint. */
export interface ClientAuthInput {
  params: Params
  /** The `Authorization` header, if any. */
  authorization: string | null
  /** Values a client assertion's `aud` may carry (the endpoint URL and the issuer; RFC 7523 §3). */
  audiences: string[]
}

/** One client authentication method (RFC 6749 §2.3, RFC 7523 §2.2, OIDC Core §9); one file each under client_auth/. */
export interface ClientAuthMethodHandler {
  readonly method: TokenEndpointAuthMethod
  /** Whether the request presents credentials of this method. */
  presents(input: ClientAuthInput): boolean
  /** The client id the credentials claim, before they are verified; null when they name none. */
  claimedClientId(input: ClientAuthInput): string | null
  /** Verifies the credentials for the client they claim; throws InvalidClient (with a hint) on failure. */
  verify(ctx: OAuth2Context, record: ClientRecord, input: ClientAuthInput): Promise<void>
}
