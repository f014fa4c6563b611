import { createPublicKey, type JsonWebKeyInput } from 'node:crypto'
import { InvalidClientMetadata, OAuthError } from '../protocol/errors.ts'
import { parseDuration } from '../util/duration.ts'
import type { ClientDocument } from './defaults.ts'
import { LIFESPAN_FIELDS } from '../protocol/client.ts'
import { BCRYPT_MAX_BYTES } from './secret_hash.ts'

export interface ValidationPolicy {
  /** `--dev`: plain http redirect URIs are allowed for any host. */
  dev: boolean
  /** `oidc.subject_identifiers.supported_types`. */
  subjectTypes: readonly string[]
  /** `oauth2.hashers.algorithm`: bcrypt cannot take secrets over 72 bytes. */
  hasher: 'pbkdf2' | 'bcrypt'
  /** Grant types the token endpoint serves (built-in and registered by plugins), accepted besides the known ones. */
  grantTypes?: readonly string[]
}

/** RFC 7591 §3.2.2: the error for a bad redirection URI. */
export const InvalidRedirectUri = new OAuthError(
  'invalid_redirect_uri',
  400,
  'The value of one or more redirect_uris is invalid.',
)

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none']
export const SECRET_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt']
export const MIN_SECRET_LENGTH = 6
const GRANT_TYPES = [
  'authorization_code',
  'implicit',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:device_code',
]
/** Signature algorithms a client may register for the JWTs it signs (client assertions, request objects). */
export const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']
const HMAC_ALGS = ['HS256', 'HS384', 'HS512']
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
const UNSAFE_SCHEMES = ['javascript:', 'data:', 'vbscript:', 'file:']
// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/
const CONTROL_OR_SPACE = /[\x00-\x20\x7f]/
const CONTROL = /[\x00-\x1f\x7f]/

const bad = (hint: string) => InvalidClientMetadata.with({ hint })

/** True for localhost, *.localhost, 127.0.0.0/8 and ::1 (RFC 8252 §7.3, §8.3). */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '[::1]'
  )
}

function parseAbsolute(value: string): URL | null {
  if (!value || CONTROL_OR_SPACE.test(value)) return null
  try {
    return new URL(value)
  } catch {
    return null
  }
}

function checkRedirectUri(uri: string, dev: boolean, field: string, err: OAuthError) {
  const u = parseAbsolute(uri)
  if (!u) throw err.with({ hint: `${field} "${uri}" must be an absolute URI without whitespace.` })
  // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment component.
  if (uri.includes('#')) throw err.with({ hint: `${field} "${uri}" must not contain a fragment (#).` })
  if (UNSAFE_SCHEMES.includes(u.protocol)) throw err.with({ hint: `${field} "${uri}" uses a forbidden scheme.` })
  // RFC 6749 §10.5, RFC 8252 §8.3: plain http only for loopback redirects outside development.
  if (u.protocol === 'http:' && !dev && !isLoopbackHost(u.hostname)) {
    throw err.with({ hint: `${field} "${uri}" must use https (plain http is only allowed for localhost and loopback).` })
  }
}

function checkHttpUrl(field: string, value: string | undefined, httpsOnly = false) {
  if (!value) return
  const u = parseAbsolute(value)
  if (!u || (u.protocol !== 'https:' && (httpsOnly || u.protocol !== 'http:'))) {
    throw bad(`Field ${field} must be an absolute ${httpsOnly ? 'https' : 'http(s)'} URL.`)
  }
}

function checkResponseType(value: string) {
  if (value === 'none') return
  const parts = value.split(' ')
  const known = parts.every((p) => p === 'code' || p === 'token' || p === 'id_token')
  if (!known || new Set(parts).size !== parts.length) throw bad(`Response type "${value}" is not supported.`)
}

function checkGrants(doc: ClientDocument, served: readonly string[] = []) {
  for (const g of doc.grant_types) {
    // RFC 6749 §4.5: extension grants are identified by an absolute URI.
    if (!GRANT_TYPES.includes(g) && !served.includes(g) && !(g.includes(':') && parseAbsolute(g))) {
      throw bad(`Grant type "${g}" is not supported.`)
    }
  }
  for (const r of doc.response_types) checkResponseType(r)
  const has = (g: string) => doc.grant_types.includes(g)
  // RFC 7591 §2.1 and OIDC Registration §2: each response type needs its grant type.
  for (const r of doc.response_types) {
    const parts = r.split(' ')
    if (parts.includes('code') && !has('authorization_code')) {
      throw bad(`Response type "${r}" requires grant type "authorization_code".`)
    }
    if ((parts.includes('token') || parts.includes('id_token')) && !has('implicit')) {
      throw bad(`Response type "${r}" requires grant type "implicit".`)
    }
  }
  if (doc.token_endpoint_auth_method === 'none' && has('client_credentials')) {
    // RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients.
    throw bad('Grant type "client_credentials" is not allowed for public clients (token_endpoint_auth_method "none").')
  }
}

function checkJwks(doc: ClientDocument, dev: boolean) {
  if (doc.jwks && doc.jwks_uri) throw bad('Fields jwks and jwks_uri can not both be set, you must choose one.')
  if (doc.token_endpoint_auth_method === 'private_key_jwt' && !doc.jwks && !doc.jwks_uri) {
    throw bad("When token_endpoint_auth_method is 'private_key_jwt', either jwks or jwks_uri must be set.")
  }
  checkHttpUrl('jwks_uri', doc.jwks_uri)
  const jwksUri = doc.jwks_uri ? new URL(doc.jwks_uri) : null
  // The server fetches these keys to authenticate the client: plain http only for loopback or --dev.
  if (jwksUri?.protocol === 'http:' && !dev && !isLoopbackHost(jwksUri.hostname)) {
    throw bad('Field jwks_uri must use https (plain http is only allowed for localhost and loopback).')
  }
  for (const [i, jwk] of (doc.jwks?.keys ?? []).entries()) {
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') {
      throw bad(`Key ${i} of jwks must be a public RSA, EC or OKP key.`)
    }
    if (PRIVATE_JWK_MEMBERS.some((m) => Object.hasOwn(jwk, m))) throw bad(`Key ${i} of jwks contains private key material.`)
    try {
      createPublicKey({ key: jwk, format: 'jwk' } as JsonWebKeyInput)
    } catch {
      throw bad(`Key ${i} of jwks is not a valid JSON Web Key.`)
    }
  }
}

function checkSecret(doc: ClientDocument, secret: string | undefined, policy: ValidationPolicy) {
  if (secret === undefined || secret === '') return
  if (doc.token_endpoint_auth_method === 'none') {
    throw bad('Public clients (token_endpoint_auth_method "none") must not have a client_secret.')
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw bad(`Field client_secret must contain a secret that is at least ${MIN_SECRET_LENGTH} characters long.`)
  }
  if (policy.hasher === 'bcrypt' && Buffer.byteLength(secret) > BCRYPT_MAX_BYTES) {
    throw bad(`Field client_secret must not be longer than ${BCRYPT_MAX_BYTES} bytes when secrets are hashed with bcrypt.`)
  }
}

function checkMisc(doc: ClientDocument, policy: ValidationPolicy) {
  if (doc.client_id.length > 255 || CONTROL.test(doc.client_id)) {
    throw bad('Field client_id must be at most 255 characters without control characters.')
  }
  if (!AUTH_METHODS.includes(doc.token_endpoint_auth_method)) {
    throw bad(`Field token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}.`)
  }
  const alg = doc.token_endpoint_auth_signing_alg
  if (alg) {
    const allowed = doc.token_endpoint_auth_method === 'client_secret_jwt' ? HMAC_ALGS : ASYMMETRIC_ALGS
    if (!allowed.includes(alg)) {
      throw bad(`Field token_endpoint_auth_signing_alg must be one of ${allowed.join(', ')} for ${doc.token_endpoint_auth_method}.`)
    }
  }
  if (!policy.subjectTypes.includes(doc.subject_type)) {
    throw bad(`Subject type ${doc.subject_type} is not supported by server, only ${policy.subjectTypes.join(', ')} are allowed.`)
  }
  if (doc.userinfo_signed_response_alg !== 'none' && doc.userinfo_signed_response_alg !== 'RS256') {
    throw bad("Field userinfo_signed_response_alg can either be 'none' or 'RS256'.")
  }
  const ro = doc.request_object_signing_alg
  if (ro && ro !== 'none' && !ASYMMETRIC_ALGS.includes(ro)) {
    throw bad(`Field request_object_signing_alg must be none or one of ${ASYMMETRIC_ALGS.join(', ')}.`)
  }
  if (doc.access_token_strategy !== undefined && doc.access_token_strategy !== 'opaque' && doc.access_token_strategy !== 'jwt') {
    throw bad("Field access_token_strategy must be 'opaque' or 'jwt'.")
  }
  for (const token of doc.scope.split(' ').filter(Boolean)) {
    if (!SCOPE_TOKEN.test(token)) throw bad(`Scope "${token}" contains characters not allowed in a scope token.`)
  }
}

function checkUris(doc: ClientDocument, policy: ValidationPolicy) {
  for (const uri of doc.redirect_uris) checkRedirectUri(uri, policy.dev, 'Redirect URI', InvalidRedirectUri)
  for (const uri of doc.post_logout_redirect_uris) {
    checkRedirectUri(uri, policy.dev, 'post_logout_redirect_uri', InvalidClientMetadata)
  }
  for (const origin of doc.allowed_cors_origins) {
    const u = parseAbsolute(origin)
    if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || u.search || u.hash ||
      u.pathname !== '/' || origin.endsWith('/') || origin.includes('?') || origin.includes('#')) {
      throw bad(`Origin "${origin}" from allowed_cors_origins must have the form scheme://host[:port].`)
    }
  }
  for (const field of ['policy_uri', 'tos_uri', 'client_uri', 'logo_uri', 'frontchannel_logout_uri', 'backchannel_logout_uri'] as const) {
    checkHttpUrl(field, doc[field])
  }
  checkHttpUrl('sector_identifier_uri', doc.sector_identifier_uri, true)
  for (const uri of doc.request_uris) if (!parseAbsolute(uri)) throw bad(`Request URI "${uri}" must be an absolute URI.`)
}

function checkLifespans(doc: ClientDocument) {
  for (const field of LIFESPAN_FIELDS) {
    const value = doc[field]
    if (value === null || value === undefined) continue
    let ms: number
    try {
      ms = parseDuration(value)
    } catch {
      ms = -1
    }
    if (ms <= 0) throw bad(`Field ${field} must be a positive duration such as "1h30m", or null.`)
  }
}

/** Checks a client document (defaults applied) and an optional new secret; throws a 400 with the reason. */
export function validateClient(doc: ClientDocument, secret: string | undefined, policy: ValidationPolicy): void {
  checkMisc(doc, policy)
  checkSecret(doc, secret, policy)
  checkGrants(doc, policy.grantTypes)
  checkUris(doc, policy)
  checkJwks(doc, policy.dev)
  checkLifespans(doc)
}
