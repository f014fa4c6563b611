/**
 * The Gatehouse plugin SDK, imported as `gatehouse/plugin`. A plugin imports nothing else from Gatehouse:
 * everything it can see and do is declared here. See PLUGINS.md for the authoring guide.
 *
 * @packageDocumentation
 */
import { Type as TypeBox, type Static as TypeBoxStatic, type TSchema as TypeBoxSchema } from '@sinclair/typebox'
import type { JWK } from 'jose'
import type { OAuth2Client } from '../clients/model.ts'
import * as errors from '../oauth2/errors.ts'
import type { OAuthErrorCode as CoreErrorCode } from '../oauth2/errors.ts'

/**
 * TypeBox's schema builder, for a plugin's `options` schema. Options are checked against it at startup,
 * defaults (`{ default: … }`) are filled in and every problem is reported with its path.
 * @example
 * ```ts
 * const options = Type.Object({ ttl: Type.Integer({ minimum: 1, default: 300 }) })
 * ```
 */
export const Type = TypeBox

/**
 * A TypeBox schema (what `Type.*` returns).
 * @example
 * ```ts
 * const schema: TSchema = Type.String()
 * ```
 */
export type TSchema = TypeBoxSchema

/**
 * The TypeScript type a TypeBox schema describes; the type of `api.options`.
 * @example
 * ```ts
 * type Options = Static<typeof options>
 * ```
 */
export type Static<S extends TSchema> = TypeBoxStatic<S>

/**
 * An RFC 6749 §5.2 / OIDC error code (`invalid_grant`, `access_denied`, …).
 * @example
 * ```ts
 * const code: OAuthErrorCode = 'invalid_grant'
 * ```
 */
export type OAuthErrorCode = CoreErrorCode

/**
 * The error type of every Gatehouse response. A plugin that throws an `OAuthError` (from a hook, a grant or a
 * consent policy) has it rendered to the client as is: `error`, `error_description` (the description with
 * the hint appended) and the HTTP `status`. Anything else a plugin throws becomes a 500 `server_error` and
 * is logged with the plugin's name. Prefer the ready-made errors below with `.with({ hint })`.
 * @example
 * ```ts
 * throw new OAuthError('invalid_request', 400, 'The subject_token is missing.')
 * throw InvalidGrant.with({ hint: 'The subject token has expired.' })
 * ```
 */
export const OAuthError = errors.OAuthError
/** An instance of {@link OAuthError}. */
export type OAuthError = errors.OAuthError

/**
 * 400 `invalid_request`: a parameter is missing, invalid or malformed.
 * @example
 * ```ts
 * throw InvalidRequest.with({ hint: 'The "subject_token" parameter is missing.' })
 * ```
 */
export const InvalidRequest: OAuthError = errors.InvalidRequest

/**
 * 400 `invalid_grant`: the grant or credential presented is invalid, expired or revoked.
 * @example
 * ```ts
 * throw InvalidGrant.with({ hint: 'The device code has expired.' })
 * ```
 */
export const InvalidGrant: OAuthError = errors.InvalidGrant

/**
 * 400 `invalid_scope`: a requested scope is unknown or not allowed.
 * @example
 * ```ts
 * throw InvalidScope.with({ hint: 'Scope "admin" is not available to this grant.' })
 * ```
 */
export const InvalidScope: OAuthError = errors.InvalidScope

/**
 * 400 `invalid_target` (RFC 8707, RFC 8693): a requested audience or resource is not acceptable.
 * @example
 * ```ts
 * throw InvalidTarget.with({ hint: 'Resource "https://other.example" is not served.' })
 * ```
 */
export const InvalidTarget: OAuthError = errors.InvalidTarget

/**
 * 401 `invalid_client`: the client could not be authenticated.
 * @example
 * ```ts
 * throw InvalidClient.with({ hint: 'This grant needs an authenticated client.' })
 * ```
 */
export const InvalidClient: OAuthError = errors.InvalidClient

/**
 * 400 `unauthorized_client`: the client may not use this grant or feature.
 * @example
 * ```ts
 * throw UnauthorizedClient.with({ hint: 'Only first-party clients may exchange tokens.' })
 * ```
 */
export const UnauthorizedClient: OAuthError = errors.UnauthorizedClient

/**
 * 403 `access_denied`: the resource owner or a policy denied the request.
 * @example
 * ```ts
 * throw AccessDenied.with({ hint: 'The account is locked.' })
 * ```
 */
export const AccessDenied: OAuthError = errors.AccessDenied

/**
 * 500 `server_error`: the plugin cannot complete the request. The description is fixed; put details
 * in `debug` (shown only with `oauth2.expose_internal_errors`).
 * @example
 * ```ts
 * throw ServerError.with({ debug: 'directory answered 502' })
 * ```
 */
export const ServerError: OAuthError = errors.ServerError

/**
 * 503 `temporarily_unavailable`: try again later.
 * @example
 * ```ts
 * throw TemporarilyUnavailable.with({ hint: 'The user directory is unreachable.' })
 * ```
 */
export const TemporarilyUnavailable: OAuthError = errors.TemporarilyUnavailable

/**
 * Claims Gatehouse sets itself in access tokens (JWT top level, introspection); a plugin returning one of
 * them fails the request with `server_error`.
 * @example
 * ```ts
 * const safe = Object.fromEntries(Object.entries(claims).filter(([k]) => !RESERVED_ACCESS_TOKEN_CLAIMS.has(k)))
 * ```
 */
export const RESERVED_ACCESS_TOKEN_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'scope', 'scp', 'client_id', 'ext',
])

/**
 * Claims Gatehouse sets itself in ID tokens and userinfo answers; a plugin returning one of them fails the
 * request with `server_error`.
 * @example
 * ```ts
 * if (RESERVED_ID_TOKEN_CLAIMS.has('nonce')) console.log('nonce is set by Gatehouse')
 * ```
 */
export const RESERVED_ID_TOKEN_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'scope', 'scp', 'client_id',
  'auth_time', 'nonce', 'acr', 'amr', 'sid', 'at_hash', 'c_hash', 'rat', 'azp',
])

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
 * A public JSON Web Key (RFC 7517), as published in this server's JWKS; usable with `jose`'s `createLocalJWKSet`.
 * @example
 * ```ts
 * const { keys }: { keys: Jwk[] } = await api.keys.jwks()
 * ```
 */
export type Jwk = JWK

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

/**
 * RFC 7662 introspection of a token this server issued, as seen by the admin introspection endpoint.
 * @example
 * ```ts
 * const info: Introspection = await api.tokens.introspect(token)
 * if (!info.active) throw InvalidRequest.with({ hint: 'The token is not active.' })
 * ```
 */
export interface Introspection {
  active: boolean
  scope?: string
  client_id?: string
  sub?: string
  exp?: number
  iat?: number
  aud?: string[]
  iss?: string
  token_use?: 'access_token' | 'refresh_token'
  ext?: Record<string, unknown>
}

/**
 * A structured logger; every line carries the plugin's name. Never log tokens or secrets.
 * @example
 * ```ts
 * api.logger.info('directory reloaded', { entries: 42 })
 * ```
 */
export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/**
 * What `setup` receives. Capabilities are registered only while `setup` runs; the services (`clients`,
 * `tokens`, `keys`, `clock`) may be used at any time afterwards.
 * @example
 * ```ts
 * setup(api) {
 *   api.hook('token.claims', () => ({ accessToken: { region: api.options.region } }))
 * }
 * ```
 */
export interface PluginApi<Options = unknown> {
  /** The plugin's name. */
  readonly name: string
  /** The options from the configuration, validated against the plugin's schema with defaults applied. */
  readonly options: Options
  /** This server's issuer identifier (`iss`). */
  readonly issuer: string
  readonly logger: PluginLogger
  /** The server clock, epoch milliseconds; use it instead of `Date.now()` so tests can move time. */
  clock(): number
  /** Registers a custom grant type. */
  grant(definition: GrantDefinition): void
  /** Registers a hook. */
  hook<K extends keyof HookMap>(name: K, fn: HookMap[K]): void
  /** Appends a consent policy. */
  consentPolicy(policy: ConsentPolicy): void
  /** Registered clients. */
  readonly clients: { get(clientId: string): Promise<Client | null> }
  /** Tokens issued by this server. */
  readonly tokens: { introspect(token: string): Promise<Introspection> }
  /** This server's published signing keys (the JWKS at `/.well-known/jwks.json`). */
  readonly keys: { jwks(): Promise<{ keys: Jwk[] }> }
}

/**
 * A plugin as written by its author.
 * @example
 * ```ts
 * const definition: PluginDefinition<typeof options> = { name: 'tenant-claims', version: '1.0.0', options, setup() {} }
 * ```
 */
export interface PluginDefinition<S extends TSchema | undefined = undefined> {
  /** Unique name, kebab-case; the config entry `{ name }` picks it and logs carry it. */
  name: string
  /** The plugin's own version (semver), logged at startup. */
  version: string
  /** TypeBox schema of the options under `plugins[].options`. Default: no options (anything given is refused). */
  options?: S
  /** Registers the plugin's capabilities; may be async. A throw stops startup, naming the plugin. */
  setup(api: PluginApi<S extends TSchema ? Static<S> : undefined>): void | Promise<void>
}

/**
 * A defined plugin, ready to be listed in `plugins/index.ts` or exported by a plugin file.
 * @example
 * ```ts
 * export default definePlugin({ name: 'hello', version: '1.0.0', setup() {} }) satisfies Plugin
 * ```
 */
export interface Plugin {
  readonly name: string
  readonly version: string
  readonly options?: TSchema
  setup(api: PluginApi<never>): void | Promise<void>
}

/**
 * Defines a plugin. The options type of `setup` follows from the `options` schema.
 * @example
 * ```ts
 * import { definePlugin, Type } from 'gatehouse/plugin'
 *
 * export default definePlugin({
 *   name: 'tenant-claims',
 *   version: '1.0.0',
 *   options: Type.Object({ tenant: Type.String() }),
 *   setup(api) {
 *     api.hook('token.claims', () => ({ accessToken: { tenant: api.options.tenant } }))
 *   },
 * })
 * ```
 */
export function definePlugin<S extends TSchema | undefined = undefined>(definition: PluginDefinition<S>): Plugin {
  return Object.freeze({ ...definition }) as unknown as Plugin
}
