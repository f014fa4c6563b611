import { LIFESPAN_FIELDS, type OAuth2Client } from '../protocol/client.ts'

/** A client document as an admin sends it: every field optional, plus the write-only secret. */
export type ClientInput = Partial<Omit<OAuth2Client, 'created_at' | 'updated_at' | 'client_secret_expires_at'>> & {
  client_secret?: string
}

/** The client without its timestamps: what is validated and then stored in `clients.data`. */
export type ClientDocument = Omit<OAuth2Client, 'created_at' | 'updated_at'>

export interface DefaultsOptions {
  /** Subject types the server offers (`oidc.subject_identifiers.supported_types`). */
  subjectTypes: readonly string[]
  /** The id to use when the input has none. */
  newId: () => string
}

const OPTIONAL_STRINGS = [
  'sector_identifier_uri',
  'jwks_uri',
  'token_endpoint_auth_signing_alg',
  'request_object_signing_alg',
  'frontchannel_logout_uri',
  'backchannel_logout_uri',
  'access_token_strategy',
] as const

/** Fills in Hydra's defaults; arrays are never null and optional strings are left out when empty. */
export function withDefaults(input: ClientInput, options: DefaultsOptions): ClientDocument {
  const subjectType = input.subject_type || (options.subjectTypes.includes('public') ? 'public' : options.subjectTypes[0])
  const grantTypes = input.grant_types?.length ? input.grant_types : ['authorization_code']
  // Hydra defaults to ["code"]; that only fits clients that may use the authorization code grant.
  const responseTypes = input.response_types?.length
    ? input.response_types
    : grantTypes.includes('authorization_code') ? ['code'] : []
  const doc: ClientDocument = {
    client_id: input.client_id || options.newId(),
    client_name: input.client_name ?? '',
    client_secret_expires_at: 0,
    redirect_uris: input.redirect_uris ?? [],
    grant_types: grantTypes,
    response_types: responseTypes,
    scope: input.scope ?? '',
    audience: input.audience ?? [],
    owner: input.owner ?? '',
    policy_uri: input.policy_uri ?? '',
    tos_uri: input.tos_uri ?? '',
    client_uri: input.client_uri ?? '',
    logo_uri: input.logo_uri ?? '',
    contacts: input.contacts ?? [],
    allowed_cors_origins: input.allowed_cors_origins ?? [],
    subject_type: (subjectType ?? 'public') as OAuth2Client['subject_type'],
    token_endpoint_auth_method: input.token_endpoint_auth_method || 'client_secret_basic',
    request_uris: input.request_uris ?? [],
    userinfo_signed_response_alg: input.userinfo_signed_response_alg || 'none',
    frontchannel_logout_session_required: input.frontchannel_logout_session_required ?? false,
    backchannel_logout_session_required: input.backchannel_logout_session_required ?? false,
    post_logout_redirect_uris: input.post_logout_redirect_uris ?? [],
    metadata: input.metadata ?? {},
    skip_consent: input.skip_consent ?? false,
    skip_logout_consent: input.skip_logout_consent ?? null,
  }
  for (const key of OPTIONAL_STRINGS) {
    const value = input[key]
    if (value) (doc as Record<string, unknown>)[key] = value
  }
  if (input.jwks) doc.jwks = input.jwks
  for (const key of LIFESPAN_FIELDS) doc[key] = input[key] ?? null
  return doc
}
