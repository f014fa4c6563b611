import type { OAuth2Client } from '../protocol/client.ts'
import { InvalidRequest, UnsupportedGrantType } from '../protocol/errors.ts'
import type { Params } from '../protocol/params.ts'
import { pipeline } from '../protocol/pipeline.ts'
import { grantsCredential, withCNonce } from './c_nonce.ts'
import { tokenEndpointAudiences } from './client_auth/client_assertion.ts'
import { authenticateClient, CLIENT_AUTH_PARAMS } from './client_auth/index.ts'
import type { OAuth2Context } from './context.ts'
import { assertGrantAllowed, type ClientGrant, type GrantHandler, type OpenGrant } from './grants/index.ts'
import { decide, mintTokens, type Decision, type TokenResponse } from './issue.ts'

/** A token request as it arrives: form parameters and the `Authorization` header. */
export interface TokenEndpointInput {
  params: Params
  authorization: string | null
}

interface Received {
  readonly ctx: OAuth2Context
  readonly input: TokenEndpointInput
  readonly requestedAt: number
}

/** The grant and what client authentication yielded for it: always a client when the grant requires one. */
type Caller =
  | { clientAuth: 'required'; grant: ClientGrant; client: OAuth2Client }
  | { clientAuth: 'optional'; grant: OpenGrant; client: OAuth2Client | null }

const requireGrantType = ({ input }: Received) => {
  const grantType = input.params.get('grant_type')
  // RFC 6749 §4.1.3, §4.4.2: grant_type is REQUIRED.
  if (!grantType) throw InvalidRequest.with({ hint: 'The request is missing the "grant_type" parameter.' })
  return { grantType }
}

const selectGrant = ({ ctx, grantType }: Received & { grantType: string }) => {
  const grant = ctx.grants.get(grantType)
  // RFC 6749 §5.2: unsupported_grant_type.
  if (!grant) throw UnsupportedGrantType.with({ hint: `The grant type "${grantType}" is not supported.` })
  return { grant }
}

// The parameters each grant keeps, computed once per grant.
const declared = new WeakMap<GrantHandler, ReadonlySet<string>>()

const stripUndeclaredParams = ({ input, grant }: Received & { grant: GrantHandler }) => {
  let keep = declared.get(grant)
  if (!keep) declared.set(grant, (keep = new Set(['grant_type', ...CLIENT_AUTH_PARAMS, ...grant.params])))
  return { params: new Map([...input.params].filter(([name]) => keep.has(name))) as Params }
}

const authenticate = async ({ ctx, input, grant, params }: Received & { grant: GrantHandler; params: Params }): Promise<{ caller: Caller }> => {
  const auth = { params, authorization: input.authorization, audiences: tokenEndpointAudiences(ctx) }
  if (grant.clientAuth === 'required') {
    return { caller: { clientAuth: 'required', grant, client: (await authenticateClient(ctx, auth, { required: true })).client } }
  }
  return { caller: { clientAuth: 'optional', grant, client: (await authenticateClient(ctx, auth, { required: false }))?.client ?? null } }
}

const checkGrantAllowed = ({ grantType, caller }: { grantType: string; caller: Caller }) => {
  if (caller.client) assertGrantAllowed(caller.client, grantType)
}

const callGrantHandler = async (t: Received & { grantType: string; params: Params; caller: Caller }) => {
  const { ctx, caller } = t
  const req = { grantType: t.grantType, params: t.params, requestedAt: t.requestedAt }
  const issuance =
    caller.clientAuth === 'required'
      ? await caller.grant.handle(ctx, { ...req, client: caller.client })
      : await caller.grant.handle(ctx, { ...req, client: caller.client })
  return { decision: decide(t.grantType, issuance, caller.client) }
}

const runTokenHooks = async ({ ctx, decision, params, requestedAt }: Received & { decision: Decision; params: Params }) => {
  const { grantType, client, issuance } = decision
  const hooked = await ctx.tokenHooks.apply({ grantType, client, issuance, params, requestedAt })
  return hooked === issuance ? undefined : { decision: { ...decision, issuance: hooked } }
}

// OpenID4VCI draft 00 as Hydra serves it: a grant of the credential scope primes a c_nonce in the token response.
const primeCNonce = ({ ctx, decision }: Received & { decision: Decision }) =>
  grantsCredential(decision.issuance.grantedScope) ? { decision: { ...decision, issuance: withCNonce(ctx, decision.issuance) } } : undefined

const mint = async ({ ctx, decision }: Received & { decision: Decision }) => ({ response: await mintTokens(ctx, decision) })

/** The token endpoint, in order. */
const TOKEN_ENDPOINT = pipeline<Received>()
  .then(requireGrantType)
  .then(selectGrant)
  .then(stripUndeclaredParams)
  .then(authenticate)
  .then(checkGrantAllowed)
  .then(callGrantHandler)
  .then(runTokenHooks)
  .then(primeCNonce)
  .then(mint)

/** RFC 6749 §3.2 token endpoint: runs the steps and returns the §5.1 response; every refusal is an OAuthError. */
export async function tokenEndpoint(ctx: OAuth2Context, input: TokenEndpointInput): Promise<TokenResponse> {
  return (await TOKEN_ENDPOINT.run({ ctx, input, requestedAt: ctx.clock() })).response
}
