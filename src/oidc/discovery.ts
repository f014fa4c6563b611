import { PROMPT_VALUES } from '../oauth2/checks/check_prompt.ts'
import { REQUEST_OBJECT_SIGNING_ALGS } from '../oauth2/checks/check_request_object.ts'
import { CLIENT_AUTH_METHOD_NAMES } from '../oauth2/client_auth/index.ts'
import { CLIENT_SECRET_JWT_ALGS } from '../oauth2/client_auth/client_secret_jwt.ts'
import { PRIVATE_KEY_JWT_ALGS } from '../oauth2/client_auth/private_key_jwt.ts'
import type { OAuth2Context } from '../oauth2/context.ts'
import { CREDENTIAL_FORMAT, CREDENTIAL_TYPES, PROOF_ALGS } from './verifiable_credential.ts'
import { DEVICE_AUTHORIZATION_PATH } from '../oauth2/device_code.ts'

/** What the document describes: the issuer, its URLs and configuration, and its grant types. */
export type DiscoveryInput = Pick<OAuth2Context, 'issuer' | 'publicUrl' | 'config' | 'grants'>

/** Authorization server metadata (OIDC Discovery 1.0 §3, RFC 8414 §2): a JSON object of snake_case fields. */
export type ProviderMetadata = Record<string, string | boolean | unknown[]>

/**
 * One implemented feature's part of the discovery document. The document is the merge of every
 * contribution, so a feature is advertised exactly when its contribution is listed.
 */
export interface DiscoveryContribution {
  readonly feature: string
  metadata(ctx: DiscoveryInput): ProviderMetadata
}

function authSigningAlgs(): string[] {
  const methods: readonly string[] = CLIENT_AUTH_METHOD_NAMES
  return [
    ...(methods.includes('private_key_jwt') ? PRIVATE_KEY_JWT_ALGS : []),
    ...(methods.includes('client_secret_jwt') ? CLIENT_SECRET_JWT_ALGS : []),
  ]
}

/** Issuer, published keys and what every token of this issuer is signed or keyed with. */
export const issuerMetadata: DiscoveryContribution = {
  feature: 'issuer',
  metadata: (ctx) => ({
    issuer: ctx.issuer,
    jwks_uri: `${ctx.publicUrl}/.well-known/jwks.json`,
    // RFC 8414 §2: response_types_supported is REQUIRED; features with an authorization endpoint add to it.
    response_types_supported: [],
    subject_types_supported: [...ctx.config.oidc.subject_identifiers.supported_types],
    id_token_signing_alg_values_supported: [ctx.config.keys.algorithms.id_token],
  }),
}

/** The token endpoint (RFC 6749 §3.2), its grants and its client authentication. */
export const tokenEndpointMetadata: DiscoveryContribution = {
  feature: 'token_endpoint',
  metadata: (ctx) => {
    const algs = authSigningAlgs()
    return {
      token_endpoint: `${ctx.publicUrl}/oauth2/token`,
      grant_types_supported: ctx.grants.types(),
      token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHOD_NAMES],
      ...(algs.length ? { token_endpoint_auth_signing_alg_values_supported: algs } : {}),
    }
  },
}

/** Token revocation (RFC 7009), authenticated like the token endpoint. */
export const revocationMetadata: DiscoveryContribution = {
  feature: 'revocation',
  metadata: (ctx) => {
    const algs = authSigningAlgs()
    return {
      revocation_endpoint: `${ctx.publicUrl}/oauth2/revoke`,
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHOD_NAMES],
      ...(algs.length ? { revocation_endpoint_auth_signing_alg_values_supported: algs } : {}),
    }
  },
}

/** OpenID Connect: userinfo (OIDC Core §5.3), its signing, subjects and the scopes that shape ID tokens. */
export const userinfoMetadata: DiscoveryContribution = {
  feature: 'userinfo',
  metadata: (ctx) => ({
    userinfo_endpoint: `${ctx.publicUrl}/userinfo`,
    // Clients register `none` or `RS256`; RS256 works when the id-token keys are RSA.
    userinfo_signing_alg_values_supported: ['none', ...(ctx.config.keys.algorithms.id_token === 'RS256' ? ['RS256'] : [])],
    scopes_supported: ['openid', 'offline_access', 'offline'],
    claims_supported: ['sub'],
  }),
}

/** The authorization endpoint (RFC 6749 §3.1) with the login and consent flow: code only, PKCE S256, RFC 9207 iss. */
export const authorizationEndpointMetadata: DiscoveryContribution = {
  feature: 'authorization_endpoint',
  metadata: (ctx) => ({
    authorization_endpoint: `${ctx.publicUrl}/oauth2/auth`,
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: [...PROMPT_VALUES],
    claims_parameter_supported: false,
  }),
}

/**
 * Request objects by value and by reference (RFC 9101, OIDC Core §6), a request_uri only when the client registered it
 * (OIDC Discovery 1.0 §3).
 */
export const requestObjectMetadata: DiscoveryContribution = {
  feature: 'request_object',
  metadata: () => ({
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    require_request_uri_registration: true,
    request_object_signing_alg_values_supported: [...REQUEST_OBJECT_SIGNING_ALGS],
  }),
}

/**
 * Logout: RP-initiated (OIDC RP-Initiated Logout 1.0 §2.1), front-channel and back-channel (both with `iss` and
 * `sid`, OIDC Front-Channel Logout 1.0 §3, Back-Channel Logout 1.0 §2.1).
 */
export const logoutMetadata: DiscoveryContribution = {
  feature: 'logout',
  metadata: (ctx) => ({
    end_session_endpoint: `${ctx.publicUrl}/oauth2/sessions/logout`,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  }),
}

/** Verifiable credentials as Hydra v26 advertises them (OpenID4VCI draft 00): the endpoint and the UserInfo credential. */
export const verifiableCredentialsMetadata: DiscoveryContribution = {
  feature: 'verifiable_credentials',
  metadata: (ctx) => ({
    credentials_endpoint_draft_00: `${ctx.publicUrl}/credentials`,
    credentials_supported_draft_00: [
      {
        format: CREDENTIAL_FORMAT,
        types: [...CREDENTIAL_TYPES],
        cryptographic_binding_methods_supported: ['jwk'],
        cryptographic_suites_supported: [...PROOF_ALGS],
      },
    ],
  }),
}

/** Dynamic client registration (RFC 7591 §3, RFC 8414 §2, OIDC Discovery 1.0 §3), only while it is enabled. */
export const registrationMetadata: DiscoveryContribution = {
  feature: 'registration',
  metadata: (ctx): ProviderMetadata =>
    ctx.config.oidc.dynamic_client_registration.enabled ? { registration_endpoint: `${ctx.publicUrl}/oauth2/register` } : {},
}

/** The device authorization grant (RFC 8628 §4); its grant type comes with the token endpoint's. */
export const deviceAuthorizationMetadata: DiscoveryContribution = {
  feature: 'device_authorization',
  metadata: (ctx) => ({ device_authorization_endpoint: `${ctx.publicUrl}${DEVICE_AUTHORIZATION_PATH}` }),
}

/**
 * What the public discovery document is made of. Introspection stays off it: as in Hydra, it is served on
 * the admin API only.
 */
export const DISCOVERY_CONTRIBUTIONS: readonly DiscoveryContribution[] = [
  issuerMetadata,
  tokenEndpointMetadata,
  revocationMetadata,
  userinfoMetadata,
  authorizationEndpointMetadata,
  requestObjectMetadata,
  logoutMetadata,
  verifiableCredentialsMetadata,
  registrationMetadata,
  deviceAuthorizationMetadata,
]

/**
 * Merges contributions: lists are united in order without duplicates; a scalar set twice must agree,
 * otherwise two features disagree about the same fact and building the document throws.
 */
export function mergeMetadata(parts: readonly ProviderMetadata[]): ProviderMetadata {
  const doc: ProviderMetadata = {}
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      const prev = doc[key]
      if (prev === undefined) doc[key] = Array.isArray(value) ? [...new Set(value)] : value
      else if (Array.isArray(prev) && Array.isArray(value)) doc[key] = [...new Set([...prev, ...value])]
      else if (prev !== value) throw new Error(`discovery metadata "${key}" is contributed twice with different values`)
    }
  }
  return doc
}

/** Builds a discovery document from `contributions` (the app's, DISCOVERY_CONTRIBUTIONS, once by src/context.ts). */
export const buildDiscoveryDocument = (ctx: DiscoveryInput, contributions: readonly DiscoveryContribution[]): ProviderMetadata =>
  Object.freeze(mergeMetadata(contributions.map((c) => c.metadata(ctx))))
