import type { OAuth2Context } from './context.ts'
import type { Params } from '../protocol/params.ts'
import type { ClientRecord } from '../protocol/services.ts'
import { authenticateClient, CLIENT_AUTH_PARAMS } from './client_auth/index.ts'
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from '../protocol/errors.ts'
import type { GrantHandler } from './grants/index.ts'
import { checkIssuance, issueTokens, type Issuance, type TokenResponse } from './issue.ts'

/** A token request as it arrives: form parameters and the `Authorization` header. */
export interface TokenEndpointInput {
  params: Params
  authorization: string | null
}

/** The state the steps of the token endpoint pass along. */
interface TokenExchange {
  readonly ctx: OAuth2Context
  readonly input: TokenEndpointInput
  readonly requestedAt: number
  grantType?: string
  grant?: GrantHandler
  params?: Params
  client?: ClientRecord | null
  issuance?: Issuance
  response?: TokenResponse
}

type Step = (t: TokenExchange) => void | Promise<void>

const requireGrantType: Step = (t) => {
  const grantType = t.input.params.get('grant_type')
  // RFC 6749 §4.1.3, §4.4.2: grant_type is REQUIRED.
  if (!grantType) throw InvalidRequest.with({ hint: 'The request is missing the "grant_type" parameter.' })
  t.grantType = grantType
}

const selectGrant: Step = (t) => {
  t.grant = t.ctx.grants.get(t.grantType!)
  // RFC 6749 §5.2: unsupported_grant_type.
  if (!t.grant) throw UnsupportedGrantType.with({ hint: `The grant type "${t.grantType}" is not supported.` })
}

// The parameters each grant keeps, computed once per grant.
const declared = new WeakMap<GrantHandler, ReadonlySet<string>>()

const stripUndeclaredParams: Step = (t) => {
  let keep = declared.get(t.grant!)
  if (!keep) {
    keep = new Set(['grant_type', ...CLIENT_AUTH_PARAMS, ...t.grant!.params])
    declared.set(t.grant!, keep)
  }
  t.params = new Map([...t.input.params].filter(([name]) => keep.has(name)))
}

const authenticate: Step = async (t) => {
  const audiences = [`${t.ctx.publicUrl}/oauth2/token`, t.ctx.issuer]
  const input = { params: t.params!, authorization: t.input.authorization, audiences }
  t.client = await authenticateClient(t.ctx, input, { required: t.grant!.clientAuth === 'required' })
}

const checkGrantAllowed: Step = (t) => {
  // RFC 6749 §5.2: unauthorized_client when the client may not use this grant type.
  if (t.client && !(t.client.client.grant_types ?? []).includes(t.grantType!)) {
    throw UnauthorizedClient.with({
      hint: `The OAuth 2.0 Client is not allowed to use authorization grant "${t.grantType}".`,
    })
  }
}

const callGrantHandler: Step = async (t) => {
  t.issuance = await t.grant!.handle(t.ctx, {
    grantType: t.grantType!,
    params: t.params!,
    client: t.client?.client ?? null,
    requestedAt: t.requestedAt,
  })
}

const runTokenHooks: Step = async (t) => {
  const authenticated = t.client?.client ?? null
  checkIssuance(t.grantType!, t.issuance, authenticated)
  const client = (t.issuance.client ?? authenticated)!
  const input = { grantType: t.grantType!, client, issuance: t.issuance, params: t.params!, requestedAt: t.requestedAt }
  t.issuance = await t.ctx.tokenHooks.apply(input)
}

const mintTokens: Step = async (t) => {
  t.response = await issueTokens(t.ctx, t.grantType!, t.client?.client ?? null, t.issuance)
}

/** The token endpoint, in order. */
const STEPS: readonly Step[] = [
  requireGrantType,
  selectGrant,
  stripUndeclaredParams,
  authenticate,
  checkGrantAllowed,
  callGrantHandler,
  runTokenHooks,
  mintTokens,
]

/** RFC 6749 §3.2 token endpoint: runs the steps and returns the §5.1 response; every refusal is an OAuthError. */
export async function tokenEndpoint(ctx: OAuth2Context, input: TokenEndpointInput): Promise<TokenResponse> {
  const t: TokenExchange = { ctx, input, requestedAt: ctx.clock() }
  for (const step of STEPS) await step(t)
  return t.response!
}
