import type { OAuth2Client } from '../protocol/client.ts'
import { ServerError } from '../protocol/errors.ts'
import type { Params } from '../protocol/params.ts'
import { pipeline } from '../protocol/pipeline.ts'
import type { DeviceCodeRow } from '../store/types.ts'
import { checkAudience, parseAudience } from './audience.ts'
import { authenticateClient } from './client_auth/index.ts'
import type { OAuth2Context } from './context.ts'
import { DEVICE_AUTHORIZATION_PATH, DEVICE_CODE_GRANT, DEVICE_VERIFICATION_PATH } from './device_code.ts'
import { assertGrantAllowed } from './grants/index.ts'
import { newRequestId } from './request_id.ts'
import { checkClientScopes, parseScope } from './scope.ts'
import { DEVICE_CODE_PREFIX, mintOpaque } from './tokens/opaque.ts'
import { generateUserCode, userCodeFormat, userCodeSignature } from './tokens/user_code.ts'

/** A device authorization request as it arrives: form parameters and the `Authorization` header. */
export interface DeviceAuthorizationInput {
  params: Params
  authorization: string | null
}

/** RFC 8628 §3.2 device authorization response. */
export interface DeviceAuthorizationResponse {
  device_code: string
  user_code: string
  verification_uri: string
  verification_uri_complete: string
  expires_in: number
  interval: number
}

interface Received {
  readonly ctx: OAuth2Context
  readonly input: DeviceAuthorizationInput
  readonly requestedAt: number
}

/** User codes drawn before giving up when each one is taken by a live authorization (fosite draws three). */
const USER_CODE_DRAWS = 3

// RFC 8628 §3.1: a confidential client authenticates as at the token endpoint; a public one sends client_id.
const authenticate = async ({ ctx, input }: Received) => {
  const audiences = [`${ctx.publicUrl}${DEVICE_AUTHORIZATION_PATH}`, `${ctx.publicUrl}/oauth2/token`, ctx.issuer]
  const record = await authenticateClient(ctx, { params: input.params, authorization: input.authorization, audiences }, { required: true })
  return { client: record.client }
}

const checkGrantAllowed = ({ client }: { client: OAuth2Client }) => assertGrantAllowed(client, DEVICE_CODE_GRANT)

// RFC 8628 §3.1, RFC 6749 §3.3: the scope of the access request.
const checkScope = ({ ctx, input, client }: Received & { client: OAuth2Client }) => {
  const scope = parseScope(input.params.get('scope'))
  checkClientScopes(ctx, client, scope)
  return { scope }
}

const checkRequestedAudience = ({ input, client }: Received & { client: OAuth2Client }) => {
  const audience = parseAudience(input.params.get('audience'))
  checkAudience(client.audience ?? [], audience)
  return { audience }
}

/** Stores the authorization under a device code and a user code unused by any live one, and answers §3.2. */
const issueCodes = async ({ ctx, requestedAt, client, scope, audience }: Received & { client: OAuth2Client; scope: string[]; audience: string[] }) => {
  const { config } = ctx
  const secrets = config.secrets.system
  const device = mintOpaque(secrets, DEVICE_CODE_PREFIX, requestedAt)
  const interval = Math.ceil(config.oauth2.device_authorization.token_polling_interval / 1000)
  const row: Omit<DeviceCodeRow, 'user_code_signature'> = {
    signature: device.signature,
    request_id: newRequestId(),
    client_id: client.client_id,
    requested_scope: scope,
    requested_audience: audience,
    user_code_state: 'pending',
    subject: '',
    granted_scope: [],
    granted_audience: [],
    session_data: '',
    flow_id: null,
    active: true,
    used_times: 0,
    poll_interval: interval * 1000,
    last_polled_at: null,
    requested_at: requestedAt,
    expires_at: requestedAt + config.ttl.device_user_code,
  }
  const format = userCodeFormat(config)
  for (let draw = 0; draw < USER_CODE_DRAWS; draw++) {
    const userCode = generateUserCode(format)
    if (!(await ctx.store.devices.insert({ ...row, user_code_signature: userCodeSignature(secrets[0]!, userCode) }, requestedAt))) continue
    const verificationUri = `${ctx.publicUrl}${DEVICE_VERIFICATION_PATH}`
    const response: DeviceAuthorizationResponse = {
      device_code: device.token,
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?${new URLSearchParams({ user_code: userCode })}`,
      expires_in: Math.round(config.ttl.device_user_code / 1000),
      interval,
    }
    return { response }
  }
  throw ServerError.with({ hint: 'No unused user code could be drawn.', debug: `${USER_CODE_DRAWS} user codes were taken.` })
}

/** The device authorization endpoint, in order. */
const DEVICE_AUTHORIZATION = pipeline<Received>()
  .then(authenticate)
  .then(checkGrantAllowed)
  .then(checkScope)
  .then(checkRequestedAudience)
  .then(issueCodes)

/** RFC 8628 §3.1 device authorization endpoint: the §3.2 response, or an OAuthError (RFC 8628 §3.2, RFC 6749 §5.2). */
export async function deviceAuthorizationEndpoint(ctx: OAuth2Context, input: DeviceAuthorizationInput): Promise<DeviceAuthorizationResponse> {
  return (await DEVICE_AUTHORIZATION.run({ ctx, input, requestedAt: ctx.clock() })).response
}
