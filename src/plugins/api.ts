/**
 * The Gatehouse plugin SDK, imported as `gatehouse/plugin`. A plugin imports nothing else from Gatehouse:
 * everything it can see and do is declared here. See PLUGINS.md for the authoring guide.
 *
 * @packageDocumentation
 */
import { Type as TypeBox, type Static as TypeBoxStatic, type TSchema as TypeBoxSchema } from '@sinclair/typebox'
import type { JWK } from 'jose'
import type { Client, ConsentPolicy, GrantDefinition, HookMap } from './api_hooks.ts'

export * from './api_errors.ts'
export * from './api_hooks.ts'

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
 * A public JSON Web Key (RFC 7517), as published in this server's JWKS; usable with `jose`'s `createLocalJWKSet`.
 * @example
 * ```ts
 * const { keys }: { keys: Jwk[] } = await api.keys.jwks()
 * ```
 */
export type Jwk = JWK

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
