import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { InvalidRequest, type PluginApi } from 'gatehouse/plugin'

/** RFC 8693 §3 token type identifiers. */
export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const

export interface TrustedIssuer {
  issuer: string
  jwks_uri: string
  audience?: string
}

/** A validated subject or actor token. */
export interface PresentedToken {
  subject: string
  /** Scopes the token carries (tokens of this server); null when the token type has none. */
  scope: string[] | null
  /** The RFC 8693 §4.1 `act` and §4.4 `may_act` claims of the token, if any. */
  act?: unknown
  mayAct?: unknown
}

type Api = Pick<PluginApi, 'issuer' | 'clock' | 'tokens' | 'keys'>

const invalid = (role: string, hint: string) => InvalidRequest.with({ hint: `The ${role} ${hint}` })

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Validates RFC 8693 subject and actor tokens: this server's tokens by introspection, JWTs by JWKS. */
export class TokenValidator {
  readonly #api: Api
  readonly #trusted: Map<string, { issuer: TrustedIssuer; keys: ReturnType<typeof createRemoteJWKSet> }>

  constructor(api: Api, trusted: readonly TrustedIssuer[]) {
    this.#api = api
    this.#trusted = new Map(trusted.map((t) => [t.issuer, { issuer: t, keys: createRemoteJWKSet(new URL(t.jwks_uri)) }]))
  }

  /** RFC 8693 §2.2.2: an invalid or unacceptable token is invalid_request. */
  async validate(role: 'subject_token' | 'actor_token', token: string, type: string, clientId: string): Promise<PresentedToken> {
    switch (type) {
      case TOKEN_TYPE.accessToken:
      case TOKEN_TYPE.refreshToken:
        return this.#introspected(role, token, type === TOKEN_TYPE.accessToken ? 'access_token' : 'refresh_token')
      case TOKEN_TYPE.idToken:
        return this.#idToken(role, token, clientId)
      case TOKEN_TYPE.jwt:
        return this.#externalJwt(role, token)
      default:
        throw invalid(role, `type "${type}" is not supported.`)
    }
  }

  async #introspected(role: string, token: string, use: 'access_token' | 'refresh_token'): Promise<PresentedToken> {
    const info = await this.#api.tokens.introspect(token)
    if (!info.active || info.token_use !== use || !info.sub) throw invalid(role, 'is not an active token of this server.')
    const ext = info.ext ?? {}
    return { subject: info.sub, scope: (info.scope ?? '').split(' ').filter(Boolean), act: ext.act, mayAct: ext.may_act }
  }

  async #idToken(role: string, token: string, clientId: string): Promise<PresentedToken> {
    const keys = createLocalJWKSet(await this.#api.keys.jwks())
    // An ID token is exchanged only by the client it was issued to (OIDC Core §2: aud).
    const payload = await this.#verify(role, token, keys, { issuer: this.#api.issuer, audience: clientId })
    return this.#fromJwt(role, payload)
  }

  async #externalJwt(role: string, token: string): Promise<PresentedToken> {
    let iss: unknown
    try {
      iss = decodeJwt(token).iss
    } catch {
      throw invalid(role, 'is not a JWT.')
    }
    const trusted = typeof iss === 'string' ? this.#trusted.get(iss) : undefined
    if (!trusted) throw invalid(role, 'was issued by an issuer that is not trusted.')
    const { issuer, audience } = trusted.issuer
    const payload = await this.#verify(role, token, trusted.keys, { issuer, ...(audience ? { audience } : {}) })
    return this.#fromJwt(role, payload)
  }

  async #verify(role: string, token: string, keys: JWTVerifyGetKey, options: { issuer: string; audience?: string }) {
    try {
      const { payload } = await jwtVerify(token, keys, { ...options, currentDate: new Date(this.#api.clock()) })
      return payload
    } catch (err) {
      throw invalid(role, `could not be verified (${(err as Error).message}).`)
    }
  }

  #fromJwt(role: string, payload: JWTPayload): PresentedToken {
    if (typeof payload.sub !== 'string' || !payload.sub) throw invalid(role, 'has no subject.')
    const act = isRecord(payload.act) ? payload.act : undefined
    return { subject: payload.sub, scope: null, act, mayAct: payload.may_act }
  }
}
