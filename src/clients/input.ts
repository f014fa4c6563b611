import { InvalidClientMetadata } from '../protocol/errors.ts'
import type { ClientInput } from './defaults.ts'
import { LIFESPAN_FIELDS, type LifespanField } from '../protocol/client.ts'
import { isRecord } from '../protocol/json.ts'

const STRINGS = [
  'client_id',
  'client_name',
  'client_secret',
  'scope',
  'owner',
  'policy_uri',
  'tos_uri',
  'client_uri',
  'logo_uri',
  'subject_type',
  'sector_identifier_uri',
  'jwks_uri',
  'token_endpoint_auth_method',
  'token_endpoint_auth_signing_alg',
  'request_object_signing_alg',
  'userinfo_signed_response_alg',
  'frontchannel_logout_uri',
  'backchannel_logout_uri',
  'access_token_strategy',
] as const

const STRING_LISTS = [
  'redirect_uris',
  'grant_types',
  'response_types',
  'audience',
  'contacts',
  'allowed_cors_origins',
  'request_uris',
  'post_logout_redirect_uris',
] as const

const BOOLEANS = ['frontchannel_logout_session_required', 'backchannel_logout_session_required', 'skip_consent'] as const

const typeError = (field: string, expected: string) =>
  InvalidClientMetadata.with({ hint: `Field ${field} must be ${expected}.` })


/**
 * Reads a client document from parsed JSON, checking the JSON type of every known field. `null` means
 * "not set"; unknown and read-only fields (timestamps, `client_secret_expires_at`, `registration_*`) are ignored.
 */
export function readClientInput(body: Record<string, unknown>): ClientInput {
  const out: Record<string, unknown> = {}
  const has = (k: string) => Object.hasOwn(body, k) && body[k] !== null
  for (const k of STRINGS) {
    if (!has(k)) continue
    if (typeof body[k] !== 'string') throw typeError(k, 'a string')
    out[k] = body[k]
  }
  for (const k of STRING_LISTS) {
    if (!has(k)) continue
    const v = body[k]
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw typeError(k, 'an array of strings')
    out[k] = [...v]
  }
  for (const k of BOOLEANS) {
    if (!has(k)) continue
    if (typeof body[k] !== 'boolean') throw typeError(k, 'a boolean')
    out[k] = body[k]
  }
  if (has('skip_logout_consent')) {
    if (typeof body.skip_logout_consent !== 'boolean') throw typeError('skip_logout_consent', 'a boolean or null')
    out.skip_logout_consent = body.skip_logout_consent
  }
  if (has('metadata')) {
    if (!isRecord(body.metadata)) throw typeError('metadata', 'a JSON object')
    out.metadata = body.metadata
  }
  if (has('jwks')) {
    const jwks = body.jwks
    if (!isRecord(jwks) || !Array.isArray(jwks.keys) || !jwks.keys.every(isRecord)) {
      throw typeError('jwks', 'a JSON Web Key Set ({"keys": [ … ]})')
    }
    out.jwks = { keys: jwks.keys }
  }
  Object.assign(out, readLifespans(body, false))
  return out as ClientInput
}

/**
 * Reads the 13 per-grant lifespans (Go duration strings or null). With `all`, every field is returned
 * and a missing one is null, as `PUT …/lifespans` replaces them all.
 */
export function readLifespans(body: Record<string, unknown>, all: boolean): Partial<Record<LifespanField, string | null>> {
  const out: Partial<Record<LifespanField, string | null>> = {}
  for (const k of LIFESPAN_FIELDS) {
    const v = Object.hasOwn(body, k) ? body[k] : undefined
    if (v === undefined || v === null || v === '') {
      if (all) out[k] = null
      continue
    }
    if (typeof v !== 'string') throw typeError(k, 'a duration string (such as "1h30m") or null')
    out[k] = v
  }
  return out
}
