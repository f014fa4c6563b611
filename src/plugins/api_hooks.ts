/** What hooks, custom grants and consent policies receive and return; re-exported by `gatehouse/plugin` (api.ts). */
import type { OAuth2Client } from '../protocol/client.ts'
import type { OAuthError } from './api_errors.ts'

/**
 * An OAuth 2.0 client as registered (Hydra's `oAuth2Client` wire document, snake_case, no secrets).
 * `metadata` holds the operator's free-form client metadata.
 * @example
 * ```ts
 * const firstParty = (client: Client) => client.metadata?.first_party === true
 * ```
 */
export type Client = Readonly<OAuth2Client>

/**
 * JSON-compatible claim values: what a plugin may put into tokens.
 * @example
 * ```ts
 * const claims: Claims = { tenant: 'acme', roles: ['admin'] }
 * ```
 */
export type Claims = Record<string, unknown>

/**
 * Claims a `token.claims` hook adds. `accessToken` claims go into the access token's `ext` (shown by
 * introspection and in JWT access tokens; `oauth2.allowed_top_level_claims` lifts them to the JWT top level).
 * `idToken` claims go into the ID token and the userinfo answer, when the grant issues an ID token.
 * Both default to none.
 * @example
 * ```ts
 * const extra: TokenClaims = { accessToken: { tenant: 'acme' }, idToken: { email: 'ada@example.com' } }
 * ```
 */
export interface TokenClaims {
  accessToken?: Claims
  idToken?: Claims
}

/**
 * What a `token.claims` hook learns about the tokens about to be issued. Claims already present (from the
 * consent session, earlier refreshes and plugins registered before this one) are passed read-only.
 * @example
 * ```ts
 * api.hook('token.claims', (t: TokenClaimsContext) => (t.scopes.includes('email') ? { idToken: { email: lookup(t.subject) } } : undefined))
 * ```
 */
export interface TokenClaimsContext {
  /** The `grant_type` of the token request (built-in or custom). */
  readonly grantType: string
  /** The client the tokens are issued to. */
  readonly client: Client
  /** The resource owner (`sub`); the client id for `client_credentials`. */
  readonly subject: string
  /** Granted scopes. */
  readonly scopes: readonly string[]
  /** Granted audiences. */
  readonly audience: readonly string[]
  /** Whether an ID token is issued beside the access token (so `idToken` claims are used). */
  readonly idToken: boolean
  /** Whether a refresh token is issued. */
  readonly refreshToken: boolean
  /** Access-token claims so far. */
  readonly accessTokenClaims: Readonly<Claims>
  /** ID-token claims so far (without the ones Gatehouse sets itself). */
  readonly idTokenClaims: Readonly<Claims>
  /** When the token request arrived (epoch ms, from the server clock). */
  readonly requestedAt: number
}

/**
 * A `token.claims` hook: runs for every grant, built-in and custom, after the grant decided what to issue and
 * before anything is minted. Return extra claims or nothing. Hooks of several plugins run in the order the
 * plugins are listed and their claims merge (a later plugin wins for the same non-reserved claim).
 * @example
 * ```ts
 * const hook: TokenClaimsHook = async ({ subject }) => ({ accessToken: { tenant: await tenantOf(subject) } })
 * ```
 */
export type TokenClaimsHook = (context: TokenClaimsContext) => TokenClaims | undefined | void | Promise<TokenClaims | undefined | void>

/**
 * Every hook a plugin can register with `api.hook(name, fn)`, by name.
 * @example
 * ```ts
 * const name: keyof HookMap = 'token.claims'
 * ```
 */
export interface HookMap {
  'token.claims': TokenClaimsHook
}

/**
 * A token request as a custom grant sees it.
 * @example
 * ```ts
 * const handle = async (req: GrantRequest) => ({ subject: req.params.get('username')!, scope: [] })
 * ```
 */
export interface GrantRequest {
  /** The `grant_type` the request named. */
  readonly grantType: string
  /** The parameters the grant declared, each present at most once; all others (client credentials included) are stripped. */
  readonly params: ReadonlyMap<string, string>
  /** The authenticated client; null only for `clientAuth: 'optional'` when no client authenticated. */
  readonly client: Client | null
  /** When the request arrived (epoch ms, from the server clock). */
  readonly requestedAt: number
}

/**
 * What a custom grant decides to issue. Gatehouse mints and stores the tokens; it checks the scopes against
 * the client's `scope` and the audiences against its `audience` (`invalid_scope` / `invalid_target`), and
 * issues a refresh token only when asked and when the client may use the `refresh_token` grant.
 * @example
 * ```ts
 * const decision: GrantDecision = { subject: 'user-1', scope: ['read'], audience: ['https://api.example'], expiresIn: 600 }
 * ```
 */
export interface GrantDecision {
  /** The resource owner the access token acts for (`sub`). Required. */
  subject: string
  /** Scopes granted. Default: none. */
  scope?: readonly string[]
  /** Audiences granted. Default: none. */
  audience?: readonly string[]
  /** Access-token claims (`ext`); reserved claims are refused. Default: none. */
  accessTokenClaims?: Claims
  /** Issue a refresh token too. Default: false. */
  refreshToken?: boolean
  /** Access token lifetime in seconds. Default: `ttl.access_token`. */
  expiresIn?: number
  /** The client to issue to when no client authenticated (`clientAuth: 'optional'`); must exist. */
  clientId?: string
  /** Extra members of the token response (e.g. RFC 8693 `issued_token_type`); cannot replace standard members. */
  response?: Claims
}

/**
 * A custom grant type for the token endpoint (RFC 6749 §4.5). Gatehouse routes requests with this
 * `grant_type`, drops parameters not listed in `params`, authenticates the client as `clientAuth` says, checks
 * the client lists the grant type in its `grant_types`, calls `handle`, and mints and stores what it decided.
 * A `handle` that returns no complete decision issues nothing (`server_error`). The grant type is listed in
 * discovery and accepted in client `grant_types`.
 * @example
 * ```ts
 * api.grant({
 *   grantType: 'urn:example:grant-type:magic-link',
 *   params: ['link'],
 *   clientAuth: 'required',
 *   async handle(req) {
 *     const user = await redeem(req.params.get('link'))
 *     if (!user) throw InvalidGrant.with({ hint: 'The link is invalid.' })
 *     return { subject: user.id, scope: ['profile'] }
 *   },
 * })
 * ```
 */
export interface GrantDefinition {
  /** The `grant_type` value: an absolute URI, or a plain name not used by a built-in grant. */
  grantType: string
  /** Parameters the grant reads besides `grant_type` and client authentication. */
  params: readonly string[]
  /** `required`: a client must authenticate. `optional`: requests without credentials reach `handle` with `client: null`. */
  clientAuth: 'required' | 'optional'
  /** Decides what to issue, or throws an {@link OAuthError} to refuse. */
  handle(request: GrantRequest): GrantDecision | Promise<GrantDecision>
}

/**
 * What a consent policy learns about an authorization request after login, before the consent app is asked.
 * @example
 * ```ts
 * const check = (c: ConsentContext) => (c.client.metadata?.first_party === true ? { action: 'skip' as const } : undefined)
 * ```
 */
export interface ConsentContext {
  /** The client asking for consent. */
  readonly client: Client
  /** The authenticated subject. */
  readonly subject: string
  /** Scopes requested (narrowed by earlier policies). */
  readonly requestedScope: readonly string[]
  /** Audiences requested (narrowed by earlier policies). */
  readonly requestedAudience: readonly string[]
  /** Values of the `prompt` parameter. */
  readonly prompt: readonly string[]
  /** Whether a remembered consent already covers the request (Hydra's consent `skip`). */
  readonly previouslyConsented: boolean
  /** Authentication context class and methods of the login. */
  readonly acr: string
  readonly amr: readonly string[]
}

/**
 * The verdict of a consent policy; `undefined` means no opinion.
 * - `skip`: accept consent without asking, granting `grantScope` / `grantAudience` (default: everything
 *   requested), with optional token `session` claims; ends the evaluation.
 * - `narrow`: drop requested scopes or audiences (only the listed ones stay); later policies and the
 *   consent app see the narrowed request.
 * - `prompt`: always ask the consent app, even if an earlier consent would be reused; ends the evaluation.
 * - `deny`: refuse with `error` (default `access_denied`), sent to the client's redirect URI; ends the evaluation.
 * `reason` is logged and shown to the consent app.
 * @example
 * ```ts
 * const verdict: ConsentDecision = { action: 'narrow', scope: ['openid', 'profile'], reason: 'no admin for partners' }
 * ```
 */
export type ConsentDecision =
  | {
      action: 'skip'
      grantScope?: readonly string[]
      grantAudience?: readonly string[]
      session?: TokenClaims
      remember?: boolean
      /** Seconds the remembered consent lasts; 0 = forever. Default 0. */
      rememberFor?: number
      reason?: string
    }
  | { action: 'narrow'; scope?: readonly string[]; audience?: readonly string[]; reason?: string }
  | { action: 'prompt'; reason?: string }
  | { action: 'deny'; error?: OAuthError; reason?: string }

/**
 * A consent policy: an ordered check run after login and before the redirect to the consent app. Policies run
 * in plugin order, then registration order.
 * @example
 * ```ts
 * api.consentPolicy({
 *   name: 'no-admin-scope',
 *   check: (c) => (c.requestedScope.includes('admin') ? { action: 'deny', reason: 'admin is internal' } : undefined),
 * })
 * ```
 */
export interface ConsentPolicy {
  /** Shown in logs and to the consent app. */
  name: string
  check(context: ConsentContext): ConsentDecision | undefined | void | Promise<ConsentDecision | undefined | void>
}
