import { FormatRegistry, Type, type StaticDecode, type TSchema } from '@sinclair/typebox'
import { DURATION_PATTERN, parseDuration, formatDuration } from '../util/duration.ts'

/** A Go-style duration string (`1h30m`) decoded to milliseconds. */
const Duration = (defaultValue: string, description: string) =>
  Type.Transform(Type.String({ pattern: DURATION_PATTERN, default: defaultValue, description }))
    .Decode((v) => parseDuration(v))
    .Encode((v) => formatDuration(v))

const Str = (defaultValue: string, description: string) => Type.String({ default: defaultValue, description })
const Bool = (defaultValue: boolean, description: string) => Type.Boolean({ default: defaultValue, description })
const Port = (defaultValue: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, default: defaultValue, description })
const StrList = (description: string, defaultValue: string[] = []) =>
  Type.Array(Type.String(), { default: defaultValue, description })
const Section = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description: string) =>
  Type.Object(properties, { default: {}, additionalProperties: false, description })
/** An absolute URL (`scheme:` plus something URL-parsable), checked the same whether or not Elysia is loaded. */
function isAbsoluteUrl(value: string): boolean {
  try {
    return /^[a-z][a-z0-9+.-]*:/i.test(value) && Boolean(new URL(value).protocol)
  } catch {
    return false
  }
}
if (!FormatRegistry.Has('uri')) FormatRegistry.Set('uri', isAbsoluteUrl)

const OptionalUrl = (description: string) => Type.Optional(Type.String({ format: 'uri', description }))
const KeyAlg = (description: string) =>
  Type.Union([Type.Literal('RS256'), Type.Literal('ES256'), Type.Literal('ES512'), Type.Literal('EdDSA')], {
    default: 'RS256',
    description,
  })

/** Hydra's webhook shape: a URL, or a URL with an API key sent as a header or cookie. */
const Webhook = (description: string) =>
  Type.Union(
    [
      Type.String({ minLength: 1 }),
      Type.Object(
        {
          url: Type.String({ minLength: 1, description: 'Webhook URL (http or https).' }),
          auth: Type.Optional(
            Type.Object(
              {
                type: Type.Literal('api_key'),
                config: Type.Object(
                  {
                    in: Type.Union([Type.Literal('header'), Type.Literal('cookie')]),
                    name: Type.String({ minLength: 1 }),
                    value: Type.String(),
                  },
                  { additionalProperties: false },
                ),
              },
              { additionalProperties: false },
            ),
          ),
          timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: 'Time limit of a call (default 10s).' })),
        },
        { additionalProperties: false },
      ),
    ],
    { description },
  )

const listener = (port: number, name: string) =>
  Section(
    {
      /** Interface to bind; empty means all interfaces. */
      host: Str('', `Interface the ${name} API binds to; empty binds all interfaces.`),
      /** TCP port. */
      port: Port(port, `TCP port of the ${name} API.`),
      request_log: Section(
        {
          /** Skip request log lines for `/health/*`. */
          disable_for_health: Bool(false, 'Do not log requests to the health endpoints.'),
        },
        'Request logging.',
      ),
    },
    `The ${name} HTTP listener.`,
  )

/**
 * Gatehouse configuration. Key names follow Ory Hydra's configuration so that an existing `hydra.yml`
 * (for the keys Gatehouse implements) loads unchanged. Every key can be set by an environment variable
 * named after its path, upper-cased and joined with `_` (`urls.self.issuer` → `URLS_SELF_ISSUER`); list
 * values in the environment are comma-separated.
 */
export const ConfigSchema = Type.Object(
  {
    /**
     * Where state lives: `memory` (SQLite in memory), `sqlite://<path>`, `postgres://…` /
     * `postgresql://…`, or `cockroach://…`.
     * @default memory
     */
    dsn: Str('memory', 'Data source name: memory, sqlite://<path>, postgres://…, postgresql://… or cockroach://….'),
    /**
     * Development mode (flag `--dev`): allows an http issuer and http redirect URIs, non-secure cookies
     * with a `_dev` suffix, the built-in login/consent pages and a generated system secret.
     * @default false
     */
    dev: Bool(false, 'Development mode; never enable in production.'),
    serve: Section(
      {
        /** The public API: OAuth 2.0 and OpenID Connect endpoints (default port 4444). */
        public: listener(4444, 'public'),
        /** The admin API: clients, keys, login/consent, introspection (default port 4445). */
        admin: listener(4445, 'admin'),
        /**
         * Processes serving the APIs on the same ports (SO_REUSEPORT), so that one server uses several CPU
         * cores; set it to the number of cores the server may use. The first process supervises the others,
         * restarts one that dies and relays cache invalidations (changed clients and keys) to all of them.
         * Needs a database file or PostgreSQL (not `memory`).
         * @default 1
         */
        workers: Type.Integer({ minimum: 1, maximum: 256, default: 1, description: 'Event-loop threads serving the APIs, one process (one per CPU core).' }),
        cookies: Section(
          {
            /** SameSite mode of Gatehouse's cookies; `None` falls back to `Lax` on a non-https issuer. */
            same_site_mode: Type.Union([Type.Literal('Strict'), Type.Literal('Lax'), Type.Literal('None')], {
              default: 'None',
              description: 'SameSite attribute of the CSRF and session cookies.',
            }),
            /** Cookie domain; empty means host-only cookies. */
            domain: Str('', 'Domain attribute of the cookies; empty for host-only.'),
            /** Mark cookies Secure (always true outside development). */
            secure: Bool(false, 'Secure attribute; forced on outside --dev.'),
            names: Section(
              {
                /** Prefix of the per-client login CSRF cookie. */
                login_csrf: Str('ory_hydra_login_csrf', 'Login CSRF cookie name (suffixed per client).'),
                /** Prefix of the per-client consent CSRF cookie. */
                consent_csrf: Str('ory_hydra_consent_csrf', 'Consent CSRF cookie name (suffixed per client).'),
                /** Name of the login session cookie. */
                session: Str('ory_hydra_session', 'Login session cookie name.'),
              },
              'Cookie names.',
            ),
            paths: Section({ session: Str('/', 'Path attribute of the session cookie.') }, 'Cookie paths.'),
          },
          'Cookies set by the public API.',
        ),
      },
      'HTTP listeners.',
    ),
    urls: Section(
      {
        self: Section(
          {
            /** The issuer identifier (`iss`); must be https outside development. */
            issuer: Str('', 'Issuer URL; required and https outside --dev.'),
            /** Public base URL; defaults to the issuer. */
            public: Str('', 'Public base URL; defaults to the issuer.'),
            /** Admin base URL; defaults to http://localhost:<admin port>. */
            admin: Str('', 'Admin base URL.'),
          },
          'Gatehouse’s own URLs.',
        ),
        /** Login app URL, receives `login_challenge`. */
        login: OptionalUrl('Login app URL; receives ?login_challenge=.'),
        /** Consent app URL, receives `consent_challenge`. */
        consent: OptionalUrl('Consent app URL; receives ?consent_challenge=.'),
        /** Logout app URL, receives `logout_challenge`. */
        logout: OptionalUrl('Logout app URL; receives ?logout_challenge=.'),
        /** Where authorize errors go before the redirect URI is trusted. */
        error: OptionalUrl('Error page URL; receives ?error=&error_description=.'),
        /** Default redirect after logout. */
        post_logout_redirect: OptionalUrl('Default redirect after logout.'),
      },
      'URLs of Gatehouse and of the operator’s login, consent and logout app.',
    ),
    strategies: Section(
      {
        /** How requested scopes match a client's allowed scopes. `wildcard`: `foo.*` allows `foo.bar`. */
        scope: Type.Union([Type.Literal('wildcard'), Type.Literal('exact')], {
          default: 'wildcard',
          description: 'Scope matching: wildcard or exact.',
        }),
        /** Access token format: `opaque` (HMAC) or `jwt` (RFC 9068); overridable per client. */
        access_token: Type.Union([Type.Literal('opaque'), Type.Literal('jwt')], {
          default: 'opaque',
          description: 'Access token format: opaque or jwt.',
        }),
        jwt: Section(
          {
            /** How scopes appear in JWT access tokens: `scp` list, `scope` string, or both. */
            scope_claim: Type.Union([Type.Literal('list'), Type.Literal('string'), Type.Literal('both')], {
              default: 'list',
              description: 'JWT scope claim: list (scp), string (scope) or both.',
            }),
          },
          'JWT access token options.',
        ),
      },
      'Strategies.',
    ),
    ttl: Section(
      {
        /** Lifetime of login/consent/logout challenges and verifiers. */
        login_consent_request: Duration('30m', 'Lifetime of challenges and verifiers.'),
        /** Lifetime of a remembered login session. */
        authentication_session: Duration('720h', 'Lifetime of a remembered login session.'),
        /** Access token lifetime. */
        access_token: Duration('1h', 'Access token lifetime.'),
        /** Refresh token lifetime; `-1` never expires. */
        refresh_token: Duration('720h', 'Refresh token lifetime; -1 never expires.'),
        /** ID token lifetime. */
        id_token: Duration('1h', 'ID token lifetime.'),
        /** Authorization code lifetime. */
        auth_code: Duration('10m', 'Authorization code lifetime.'),
      },
      'Lifetimes (Go duration strings such as 1h30m).',
    ),
    oauth2: Section(
      {
        /** Include `error_debug` details in error responses. Never in production. */
        expose_internal_errors: Bool(false, 'Expose debug details in errors.'),
        /** Leave `nbf` out of JWT access tokens. */
        exclude_not_before_claim: Bool(false, 'Omit nbf from JWT access tokens.'),
        /** Consent `session.access_token` claims copied to the top level of JWT access tokens. */
        allowed_top_level_claims: StrList('Claims copied to the top level of JWT access tokens.'),
        /** Keep top-level claims in `ext` as well. */
        mirror_top_level_claims: Bool(true, 'Also keep top-level claims in ext.'),
        hashers: Section(
          {
            /** Client secret hash: `pbkdf2` (Hydra's format) or `bcrypt`. Existing hashes of either kind verify. */
            algorithm: Type.Union([Type.Literal('pbkdf2'), Type.Literal('bcrypt')], {
              default: 'pbkdf2',
              description: 'Client secret hashing algorithm.',
            }),
            pbkdf2: Section(
              { iterations: Type.Integer({ minimum: 1, default: 25000, description: 'PBKDF2 iterations.' }) },
              'PBKDF2-SHA256 options.',
            ),
            bcrypt: Section(
              { cost: Type.Integer({ minimum: 4, maximum: 31, default: 10, description: 'bcrypt cost.' }) },
              'bcrypt options.',
            ),
          },
          'Client secret hashing.',
        ),
        pkce: Section(
          {
            /** Require PKCE for every client. */
            enforced: Bool(false, 'Require PKCE for all clients.'),
          },
          'PKCE (RFC 7636); always required for public clients.',
        ),
        client_credentials: Section(
          {
            /** Grant all of a client's allowed scopes when a client_credentials request names none. */
            default_grant_allowed_scope: Bool(false, 'Grant the client’s scopes when none are requested.'),
          },
          'client_credentials grant.',
        ),
        grant: Section(
          {
            refresh_token: Section(
              {
                /** A used refresh token stays valid this long (at most 5m) for concurrent requests. */
                rotation_grace_period: Duration('0s', 'Grace period for reusing a rotated refresh token.'),
                /** How often a token may be reused within the grace period (0 = unlimited). */
                rotation_grace_reuse_count: Type.Integer({ minimum: 0, default: 0, description: 'Reuses allowed within the grace period.' }),
              },
              'refresh_token grant.',
            ),
          },
          'Grant options.',
        ),
        /**
         * Hydra's token hook: a webhook POSTed before every token-endpoint issuance (all grants). A URL, or
         * `{url, auth: {type: api_key, config: {in: header|cookie, name, value}}, timeout}`. A 200 answer with
         * `{session: {access_token, id_token}}` replaces the extra claims, 204 keeps them, 403 denies
         * (`access_denied`), anything else is `server_error`.
         */
        token_hook: Type.Optional(Webhook('Webhook called before every token issuance (Hydra token_hook).')),
        /** Hydra's refresh token hook: like `token_hook`, for the `refresh_token` grant only; runs first. */
        refresh_token_hook: Type.Optional(Webhook('Webhook called before refresh_token grant issuance (Hydra refresh_token_hook).')),
      },
      'OAuth 2.0 behaviour.',
    ),
    secrets: Section(
      {
        /** System secrets; the first signs and encrypts, all of them verify and decrypt. At least 16 characters each. */
        system: StrList('System secrets (first is active; all decrypt). Comma-separated in SECRETS_SYSTEM.'),
        /** Cookie secrets; default to the system secrets. */
        cookie: StrList('Cookie secrets; default to secrets.system.'),
      },
      'Secrets.',
    ),
    oidc: Section(
      {
        subject_identifiers: Section(
          {
            /** Subject types offered: `public`, `pairwise`. */
            supported_types: Type.Array(Type.Union([Type.Literal('public'), Type.Literal('pairwise')]), {
              default: ['public'],
              description: 'Subject identifier types.',
            }),
            pairwise: Section({ salt: Str('', 'Salt of pairwise subject identifiers.') }, 'Pairwise subjects.'),
          },
          'Subject identifiers (OIDC Core §8).',
        ),
      },
      'OpenID Connect.',
    ),
    keys: Section(
      {
        algorithms: Section(
          {
            /** Algorithm of the `hydra.openid.id-token` set when Gatehouse generates it. @default RS256 */
            id_token: KeyAlg('Algorithm of a generated hydra.openid.id-token key.'),
            /** Algorithm of the `hydra.jwt.access-token` set when Gatehouse generates it. @default RS256 */
            access_token: KeyAlg('Algorithm of a generated hydra.jwt.access-token key (and of other sets generated on first use).'),
          },
          'Algorithms of key sets generated on first use.',
        ),
        /** Modulus length in bits of generated RSA keys. @default 4096 */
        rsa_modulus_length: Type.Integer({ minimum: 2048, default: 4096, description: 'RSA modulus length of generated keys (bits).' }),
      },
      'JSON Web Keys.',
    ),
    webfinger: Section(
      {
        jwks: Section(
          {
            /** Key sets whose public keys are published at `/.well-known/jwks.json`. */
            broadcast_keys: StrList('Key sets published in the JWKS.', ['hydra.openid.id-token', 'hydra.jwt.access-token']),
          },
          'JWKS publication.',
        ),
      },
      'Discovery.',
    ),
    /**
     * Plugins, in order: a first-party plugin by name (`first-party-consent`, or `{name, options}`) or a
     * plugin file by path (`{path: ./my_plugin.ts, options}`, relative to the working directory). `options`
     * are checked against the plugin's schema at startup; `timeout` (default 10s) bounds each call of the
     * plugin's hooks and grants. In the environment, `PLUGINS` is a comma-separated list of names.
     * @default []
     */
    plugins: Type.Array(
      Type.Union([
        Type.String({ minLength: 1 }),
        Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, description: 'Name of a first-party plugin.' })),
            path: Type.Optional(Type.String({ minLength: 1, description: 'Path of a plugin file (.ts or .js).' })),
            options: Type.Optional(Type.Unknown({ description: "Options, checked against the plugin's schema." })),
            timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: 'Time limit of each hook call (default 10s).' })),
          },
          { additionalProperties: false },
        ),
      ]),
      { default: [], description: 'Plugins: names of first-party plugins or {name|path, options, timeout} entries.' },
    ),
    clients: Section(
      {
        http: Section(
          {
            /** Refuse outbound calls (jwks_uri, webhooks, back-channel logout) to private, loopback and link-local addresses. */
            disallow_private_ip_ranges: Bool(false, 'Refuse outbound calls to private, loopback and link-local addresses.'),
            /** Exact URLs still allowed when private ranges are refused. */
            private_ip_exception_urls: StrList('URLs exempt from disallow_private_ip_ranges.'),
          },
          'Outbound HTTP made on behalf of clients.',
        ),
      },
      'Clients.',
    ),
    log: Section(
      {
        /** Minimum level written. */
        level: Type.Union(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'].map((l) => Type.Literal(l as 'info')),
          { default: 'info', description: 'Log level.' },
        ),
        /** `json` (one object per line) or `text` (logfmt). */
        format: Type.Union([Type.Literal('json'), Type.Literal('text')], { default: 'json', description: 'Log format.' }),
      },
      'Logging.',
    ),
  },
  { additionalProperties: false },
)

export type Config = StaticDecode<typeof ConfigSchema>
export type { TSchema }
