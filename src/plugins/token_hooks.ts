import type { OAuth2Client } from '../clients/model.ts'
import type { AppContext } from '../context.ts'
import type { Issuance } from '../oauth2/issue.ts'
import { OIDC_SESSION_KEY, readOidcSession, type OidcSession } from '../oidc/id_token.ts'
import type { Claims, TokenClaimsContext } from './api.ts'
import { checkTokenClaims } from './claims.ts'
import { pluginRuntime } from './registry.ts'
import { runIsolated } from './run_hooks.ts'
import { configuredWebhooks, type TokenHookDraft } from './webhooks.ts'

/** A token request whose grant decided what to issue, before anything is minted. */
export interface TokenHookInput {
  grantType: string
  /** The client the tokens go to. */
  client: OAuth2Client
  issuance: Issuance
  /** The request's parameters after undeclared ones were stripped. */
  params: ReadonlyMap<string, string>
  requestedAt: number
}

function draftOf(input: TokenHookInput): TokenHookDraft {
  const { issuance } = input
  const oidc = readOidcSession({ ...issuance.session })
  return {
    grantType: input.grantType,
    client: input.client,
    issuance,
    params: input.params,
    oidc,
    idToken: oidc !== null && issuance.grantedScope.includes('openid'),
    accessTokenClaims: { ...issuance.accessTokenClaims },
    idTokenClaims: { ...oidc?.id_token_claims },
  }
}

async function runClaimsHooks(ctx: AppContext, draft: TokenHookDraft, requestedAt: number): Promise<void> {
  for (const { owner, fn } of pluginRuntime(ctx).claimsHooks) {
    const context: TokenClaimsContext = Object.freeze({
      grantType: draft.grantType,
      client: structuredClone(draft.client),
      subject: draft.issuance.subject,
      scopes: Object.freeze([...draft.issuance.grantedScope]),
      audience: Object.freeze([...draft.issuance.grantedAudience]),
      idToken: draft.idToken,
      refreshToken: draft.issuance.refresh,
      accessTokenClaims: Object.freeze(structuredClone(draft.accessTokenClaims)),
      idTokenClaims: Object.freeze(structuredClone(draft.idTokenClaims)),
      requestedAt,
    })
    const added = await runIsolated(ctx, owner, 'token.claims', async () => checkTokenClaims(await fn(context)))
    draft.accessTokenClaims = { ...draft.accessTokenClaims, ...added.accessToken }
    if (draft.idToken) draft.idTokenClaims = { ...draft.idTokenClaims, ...added.idToken }
  }
}

function issuanceOf(draft: TokenHookDraft): Issuance {
  const { issuance, oidc } = draft
  const accessTokenClaims: Claims = draft.accessTokenClaims
  if (!oidc) return { ...issuance, accessTokenClaims }
  const merged: OidcSession = { ...oidc, id_token_claims: draft.idTokenClaims }
  return { ...issuance, accessTokenClaims, session: { ...issuance.session, [OIDC_SESSION_KEY]: merged } }
}

/**
 * The token hook point: after a grant decided what to issue and before anything is minted, plugins'
 * `token.claims` hooks add claims (in plugin order), then Hydra's `oauth2.refresh_token_hook` (refresh_token
 * grant only) and `oauth2.token_hook` may replace them. Returns the issuance to mint; any failure throws
 * before a token exists.
 */
export async function applyTokenHooks(ctx: AppContext, input: TokenHookInput): Promise<Issuance> {
  const webhooks = configuredWebhooks(ctx, input.grantType)
  if (pluginRuntime(ctx).claimsHooks.length === 0 && webhooks.length === 0) return input.issuance
  const draft = draftOf(input)
  await runClaimsHooks(ctx, draft, input.requestedAt)
  for (const webhook of webhooks) await webhook(ctx, draft)
  return issuanceOf(draft)
}
