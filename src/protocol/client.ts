/** Per-grant token lifespans of a client (Go duration strings, null = the global TTL). */
export const LIFESPAN_FIELDS = [
  'authorization_code_grant_access_token_lifespan',
  'authorization_code_grant_id_token_lifespan',
  'authorization_code_grant_refresh_token_lifespan',
  'client_credentials_grant_access_token_lifespan',
  'implicit_grant_access_token_lifespan',
  'implicit_grant_id_token_lifespan',
  'jwt_bearer_grant_access_token_lifespan',
  'refresh_token_grant_access_token_lifespan',
  'refresh_token_grant_id_token_lifespan',
  'refresh_token_grant_refresh_token_lifespan',
  'device_authorization_grant_access_token_lifespan',
  'device_authorization_grant_id_token_lifespan',
  'device_authorization_grant_refresh_token_lifespan',
] as const

export type LifespanField = (typeof LIFESPAN_FIELDS)[number]

export type TokenEndpointAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'
  | 'none'

/** Hydra's oAuth2Client as it travels on the wire (snake_case), without secret material. */
export interface OAuth2Client extends Partial<Record<LifespanField, string | null>> {
  client_id: string
  client_name: string
  client_secret_expires_at: number
  redirect_uris: string[]
  grant_types: string[]
  response_types: string[]
  scope: string
  audience: string[]
  owner: string
  policy_uri: string
  tos_uri: string
  client_uri: string
  logo_uri: string
  contacts: string[]
  allowed_cors_origins: string[]
  subject_type: 'public' | 'pairwise'
  sector_identifier_uri?: string
  jwks?: { keys: Record<string, unknown>[] }
  jwks_uri?: string
  token_endpoint_auth_method: TokenEndpointAuthMethod
  token_endpoint_auth_signing_alg?: string
  request_uris: string[]
  request_object_signing_alg?: string
  userinfo_signed_response_alg: string
  frontchannel_logout_uri?: string
  frontchannel_logout_session_required: boolean
  backchannel_logout_uri?: string
  backchannel_logout_session_required: boolean
  post_logout_redirect_uris: string[]
  metadata: Record<string, unknown>
  access_token_strategy?: 'opaque' | 'jwt'
  skip_consent: boolean
  skip_logout_consent?: boolean | null
  created_at: string
  updated_at: string
}
