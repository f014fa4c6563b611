import { FormatRegistry, Type, type StaticDecode, type TLiteral, type TSchema } from '@sinclair/typebox'
import { DURATION_PATTERN, parseDuration, formatDuration } from '../util/duration.ts'

// The builders below take each key's `description`, its only documentation: the runtime schema carries it,
// `gatehouse help config` prints it and `bun src/config/docs.ts` writes it into the README's configuration table.

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

const HTTP_METHODS = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'HEAD', 'OPTIONS', 'TRACE'] as const
type HttpMethod = (typeof HTTP_METHODS)[number]

/** Hydra's CORS keys and defaults (rs/cors behind Ory's configx), per API. */
const cors = (name: string, originsNote: string) =>
  Section(
    {
      enabled: Bool(
        false,
        `Answer cross-origin requests to the ${name} API: preflights (OPTIONS, 204) on every path and Access-Control-* ` +
          'headers for allowed origins, with Vary: Origin.',
      ),
      allowed_origins: Type.Array(Type.String({ minLength: 1, pattern: '^[^*]*\\*?[^*]*$' }), {
        default: [],
        description:
          'Origins allowed to make cross-origin requests: scheme://host[:port]; * allows any origin, as does an empty ' +
          'list (as in Hydra); one * in a host matches any text (https://*.example.com) when at least two domain ' +
          `labels follow it, and scheme://* any host of that scheme.${originsNote}`,
      }),
      allowed_methods: Type.Array(Type.Union(HTTP_METHODS.map((m) => Type.Literal(m)) as [TLiteral<HttpMethod>]), {
        default: [...HTTP_METHODS],
        description: 'Methods cross-origin requests may use.',
      }),
      allowed_headers: StrList('Request headers cross-origin requests may send (case-insensitive); * allows any.', [
        'Accept',
        'Content-Type',
        'Content-Length',
        'Accept-Language',
        'Content-Language',
        'Authorization',
      ]),
      exposed_headers: StrList('Response headers cross-origin scripts may read (Access-Control-Expose-Headers).', [
        'Cache-Control',
        'Expires',
        'Last-Modified',
        'Pragma',
        'Content-Length',
        'Content-Language',
        'Content-Type',
      ]),
      allow_credentials: Bool(true, 'Send Access-Control-Allow-Credentials: true, so browsers may send cookies and HTTP authentication.'),
      max_age: Type.Integer({
        minimum: 0,
        default: 0,
        description: 'How long (seconds) browsers may cache a preflight answer (Access-Control-Max-Age); 0 sends none.',
      }),
      debug: Bool(false, 'Log (at info) why a cross-origin request or preflight got no Access-Control-* headers.'),
    },
    `Cross-origin resource sharing (CORS) of the ${name} API.`,
  )

const listener = (port: number, name: string, description: string, originsNote = '') =>
  Section(
    {
      host: Str('', `Interface the ${name} API binds to; empty binds all interfaces.`),
      port: Port(port, `TCP port of the ${name} API.`),
      request_log: Section(
        { disable_for_health: Bool(false, 'Do not log requests to the health endpoints (/health/*).') },
        'Request logging.',
      ),
      cors: cors(name, originsNote),
    },
    description,
  )

/**
 * Gatehouse configuration. Key names follow Ory Hydra's configuration so that an existing `hydra.yml`
 * (for the keys Gatehouse implements) loads unchanged. Every key can be set by an environment variable
 * named after its path, upper-cased and joined with `_` (`urls.self.issuer` → `URLS_SELF_ISSUER`); list
 * values in the environment are comma-separated. Each key is documented by its `description` alone.
 */
export const ConfigSchema = Type.Object(
  {
    dsn: Str(
      'memory',
      'Data source name: memory (SQLite in memory), sqlite://<path>, postgres://…, postgresql://… or cockroach://….',
    ),
    dev: Bool(
      false,
      'Development mode (--dev): allows an http issuer and http redirect URIs, cookies without Secure and with ' +
        'a _dev suffix, the built-in login, consent, logout and device pages and a generated system secret. ' +
        'Never in production.',
    ),
    serve: Section(
      {
        public: listener(
          4444,
          'public',
          'The public API: OAuth 2.0 and OpenID Connect endpoints.',
          ' A client’s allowed_cors_origins are allowed too on the token, revocation, userinfo, credentials and ' +
            'registration endpoints for requests naming that client (client_id, Basic credentials, client assertion, ' +
            'Bearer access token or registration path), and preflights to them from any origin; discovery and the ' +
            'JWKS are readable from any origin.',
        ),
        admin: listener(4445, 'admin', 'The admin API: clients, keys, login and consent, introspection.'),
        workers: Type.Integer({
          minimum: 1,
          maximum: 256,
          default: 1,
          description:
            'Event-loop threads of the one server process, serving the APIs on the same ports (SO_REUSEPORT); ' +
            'set it to the number of CPU cores the server may use. The first thread restarts a thread that ends ' +
            'and relays client and key changes to the others; needs a database file or PostgreSQL, not an ' +
            'in-memory store.',
        }),
        cookies: Section(
          {
            same_site_mode: Type.Union([Type.Literal('Strict'), Type.Literal('Lax'), Type.Literal('None')], {
              default: 'None',
              description:
                'SameSite attribute of the CSRF and session cookies; None falls back to Lax unless the issuer ' +
                'is https and the cookies are Secure.',
            }),
            domain: Str('', 'Domain attribute of the cookies; empty for host-only.'),
            secure: Bool(false, 'Secure attribute of the cookies; always on outside --dev.'),
            names: Section(
              {
                login_csrf: Str(
                  'ory_hydra_login_csrf',
                  'Name of the login CSRF cookie, followed by _dev under --dev and a hash of the client id.',
                ),
                consent_csrf: Str(
                  'ory_hydra_consent_csrf',
                  'Name of the consent CSRF cookie, followed by _dev under --dev and a hash of the client id.',
                ),
                device_csrf: Str(
                  'ory_hydra_device_csrf',
                  'Name of the device verification CSRF cookie, followed by _dev under --dev; set before the client is ' +
                    'known, so without a client hash (as Hydra).',
                ),
                session: Str('ory_hydra_session', 'Name of the login session cookie, followed by _dev under --dev.'),
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
            issuer: Str(
              '',
              'Issuer identifier (iss), without query or fragment; required and https outside --dev. Under --dev it ' +
                'defaults to http://localhost:<public port>.',
            ),
            public: Str('', 'Public base URL; defaults to the issuer.'),
            admin: Str('', 'Admin base URL; defaults to http://localhost:<admin port>.'),
          },
          'Gatehouse’s own URLs.',
        ),
        login: OptionalUrl('Login app URL; receives ?login_challenge=.'),
        registration: OptionalUrl(
          'Registration app URL; receives ?login_challenge= instead of urls.login when the authorization request asks ' +
            'for prompt=registration or prompt=create. Defaults to urls.login.',
        ),
        consent: OptionalUrl('Consent app URL; receives ?consent_challenge=.'),
        logout: OptionalUrl('Logout app URL; receives ?logout_challenge=.'),
        error: OptionalUrl(
          'Error page URL for authorize and logout errors that cannot go to a verified redirect URI; receives ' +
            '?error=&error_description=. Unset, the built-in error page shows them.',
        ),
        post_logout_redirect: OptionalUrl('Default redirect after logout.'),
        device: Section(
          {
            verification: OptionalUrl(
              'Device verification app URL (RFC 8628); receives ?device_challenge= (and ?user_code= when the user ' +
                'opened verification_uri_complete) and accepts the user code through the admin API.',
            ),
            success: OptionalUrl(
              'Where the browser goes once a device was authorized; receives ?client_id=. Unset, a plain page says so.',
            ),
          },
          'The device authorization grant’s browser pages.',
        ),
      },
      'URLs of Gatehouse and of the operator’s login, consent and logout app.',
    ),
    strategies: Section(
      {
        scope: Type.Union([Type.Literal('wildcard'), Type.Literal('exact')], {
          default: 'wildcard',
          description:
            'How requested scopes match a client’s allowed scopes: wildcard (foo.* allows foo.bar) or exact.',
        }),
        access_token: Type.Union([Type.Literal('opaque'), Type.Literal('jwt')], {
          default: 'opaque',
          description:
            'Access token format: opaque (HMAC) or jwt (RFC 9068); a client’s access_token_strategy overrides it.',
        }),
        jwt: Section(
          {
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
        login_consent_request: Duration('30m', 'Lifetime of login, consent and logout challenges and verifiers.'),
        authentication_session: Duration('720h', 'Lifetime of a remembered login session.'),
        access_token: Duration('1h', 'Access token lifetime.'),
        refresh_token: Duration('720h', 'Refresh token lifetime; -1 never expires.'),
        id_token: Duration('1h', 'ID token lifetime.'),
        auth_code: Duration('10m', 'Authorization code lifetime.'),
        vc_nonce: Duration(
          '1h',
          'Lifetime of a c_nonce of the verifiable credentials endpoint (OpenID4VCI draft 00), each usable once.',
        ),
        device_user_code: Duration('10m', 'Lifetime of a device code and its user code (RFC 8628).'),
      },
      'Lifetimes (Go duration strings such as 1h30m).',
    ),
    oauth2: Section(
      {
        expose_internal_errors: Bool(
          false,
          'Include debug details (error_debug) in error responses; never in production.',
        ),
        exclude_not_before_claim: Bool(false, 'Omit nbf from JWT access tokens.'),
        allowed_top_level_claims: StrList(
          'Claims of the consent’s session.access_token copied to the top level of JWT access tokens.',
        ),
        mirror_top_level_claims: Bool(true, 'Also keep top-level claims in ext.'),
        hashers: Section(
          {
            algorithm: Type.Union([Type.Literal('pbkdf2'), Type.Literal('bcrypt')], {
              default: 'pbkdf2',
              description:
                'Hash of new client secrets: pbkdf2 (Hydra’s format) or bcrypt (secrets up to 72 bytes); ' +
                'stored hashes of either kind verify.',
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
          { enforced: Bool(false, 'Require PKCE for all clients.') },
          'PKCE (RFC 7636); always required for public clients.',
        ),
        client_credentials: Section(
          {
            default_grant_allowed_scope: Bool(
              false,
              'Grant all of a client’s allowed scopes when a client_credentials request names none.',
            ),
          },
          'client_credentials grant.',
        ),
        grant: Section(
          {
            refresh_token: Section(
              {
                rotation_grace_period: Duration(
                  '0s',
                  'How long a rotated refresh token stays usable after its first use, for concurrent requests; 0s ' +
                    'revokes its grant on reuse. At most 5m unless rotation_grace_reuse_count is set.',
                ),
                rotation_grace_reuse_count: Type.Integer({
                  minimum: 0,
                  default: 0,
                  description: 'Reuses allowed within the grace period; 0 is no limit.',
                }),
              },
              'refresh_token grant.',
            ),
            jwt: Section(
              {
                jti_optional: Bool(
                  false,
                  'Accept jwt-bearer grant assertions without a jti claim (RFC 7523 §3); those cannot be refused as replays.',
                ),
                iat_optional: Bool(false, 'Accept jwt-bearer grant assertions without an iat claim.'),
                max_ttl: Duration(
                  '720h',
                  'Longest a jwt-bearer grant assertion may be valid: its exp at most this far past its iat (or past now).',
                ),
                omit_assertion_audience: Bool(
                  true,
                  'Leave the assertion’s aud (this server) out of the audience of the tokens the jwt-bearer grant issues; ' +
                    'false copies it in, as Hydra did before.',
                ),
              },
              'urn:ietf:params:oauth:grant-type:jwt-bearer grant (RFC 7523 §2.1).',
            ),
          },
          'Grant options.',
        ),
        device_authorization: Section(
          {
            token_polling_interval: Duration(
              '5s',
              'Least time between two token requests of a device (RFC 8628 interval); a device that polls sooner is ' +
                'answered slow_down and waits 5s longer from then on.',
            ),
            user_code: Section(
              {
                entropy_preset: Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')], {
                  default: 'high',
                  description:
                    'User code format: high (8 letters and digits without look-alikes), medium (8 upper-case ' +
                      'letters) or low (9 digits). User codes compare without regard to case, dashes or spaces, and a ' +
                      'device challenge is refused after 5 wrong ones.',
                }),
                length: Type.Optional(
                  Type.Integer({ minimum: 6, maximum: 64, description: 'User code length; replaces the preset’s.' }),
                ),
                character_set: Type.Optional(
                  Type.String({
                    minLength: 8,
                    description:
                      'Characters of user codes, replacing the preset’s: at least 8 that differ without regard to case, ' +
                        'and no dash or space.',
                  }),
                ),
              },
              'User codes (RFC 8628 §6.1).',
            ),
          },
          'Device authorization grant (RFC 8628).',
        ),
        token_hook: Type.Optional(
          Webhook(
            'Webhook POSTed before every token issuance (Hydra token_hook): a URL or {url, auth, timeout}. ' +
              'A 200 answer {session: {access_token, id_token}} replaces the extra claims, 204 keeps them, ' +
              '403 denies, anything else is server_error.',
          ),
        ),
        refresh_token_hook: Type.Optional(
          Webhook(
            'Webhook POSTed before refresh_token grant issuance (Hydra refresh_token_hook); runs before ' +
              'token_hook and is answered as it is.',
          ),
        ),
      },
      'OAuth 2.0 behaviour.',
    ),
    secrets: Section(
      {
        system: StrList(
          'System secrets of at least 16 characters: the first signs and encrypts, all verify and decrypt. Required ' +
            'outside --dev.',
        ),
        cookie: StrList('Secrets of the cookies, at least 16 characters each; default to secrets.system.'),
      },
      'Secrets.',
    ),
    oidc: Section(
      {
        subject_identifiers: Section(
          {
            supported_types: Type.Array(Type.Union([Type.Literal('public'), Type.Literal('pairwise')]), {
              default: ['public'],
              description: 'Subject identifier types offered: public, pairwise.',
            }),
            pairwise: Section({ salt: Str('', 'Salt of pairwise subject identifiers.') }, 'Pairwise subjects.'),
          },
          'Subject identifiers (OIDC Core §8).',
        ),
        dynamic_client_registration: Section(
          {
            enabled: Bool(
              false,
              'Serve dynamic client registration on the public API: POST /oauth2/register (RFC 7591, OIDC ' +
                'Registration 1.0) and GET/PUT/DELETE /oauth2/register/{id} with the registration access token (RFC 7592).',
            ),
            default_scope: StrList(
              'Scope of a dynamically registered client that names none. A registrant may name any scope, so this is ' +
                'no allow-list.',
              ['offline_access', 'offline', 'openid'],
            ),
          },
          'Dynamic client registration.',
        ),
      },
      'OpenID Connect.',
    ),
    keys: Section(
      {
        algorithms: Section(
          {
            id_token: KeyAlg('Algorithm of a generated hydra.openid.id-token key.'),
            access_token: KeyAlg(
              'Algorithm of a generated hydra.jwt.access-token key (and of other sets generated on first use).',
            ),
          },
          'Algorithms of key sets generated on first use.',
        ),
        rsa_modulus_length: Type.Integer({
          minimum: 2048,
          default: 4096,
          description: 'RSA modulus length of generated keys (bits).',
        }),
      },
      'JSON Web Keys.',
    ),
    webfinger: Section(
      {
        jwks: Section(
          {
            broadcast_keys: StrList(
              'Key sets whose public keys are published at /.well-known/jwks.json; the two default sets always are.',
              ['hydra.openid.id-token', 'hydra.jwt.access-token'],
            ),
          },
          'JWKS publication.',
        ),
      },
      'Discovery.',
    ),
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
      {
        default: [],
        description:
          'Plugins in order: first-party plugin names or {name|path, options, timeout} entries (path relative ' +
          'to the working directory, options checked against the plugin’s schema at startup, timeout of each ' +
          'call 10s by default).',
      },
    ),
    clients: Section(
      {
        http: Section(
          {
            disallow_private_ip_ranges: Bool(
              false,
              'Refuse outbound calls (jwks_uri, request_uri, webhooks, back-channel logout) to private, loopback and ' +
                'link-local addresses.',
            ),
            private_ip_exception_urls: StrList('Exact URLs exempt from disallow_private_ip_ranges.'),
          },
          'Outbound HTTP made on behalf of clients.',
        ),
      },
      'Clients.',
    ),
    log: Section(
      {
        level: Type.Union(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'].map((l) => Type.Literal(l as 'info')),
          { default: 'info', description: 'Minimum level of the log lines written.' },
        ),
        format: Type.Union([Type.Literal('json'), Type.Literal('text')], {
          default: 'json',
          description: 'Log format: json (one object per line) or text (logfmt).',
        }),
      },
      'Logging.',
    ),
  },
  { additionalProperties: false },
)

/** The decoded configuration; ConfigSchema documents each key. */
export type Config = StaticDecode<typeof ConfigSchema>
export type { TSchema }
