import type { CoreContext } from '../protocol/context.ts'
import type { Issuance } from '../oauth2/issue.ts'
import { OIDC_SESSION_KEY, readOidcSession, type OidcSession } from '../oauth2/authorize_session.ts'
import type { Claims, TokenClaimsContext } from './api.ts'
import { checkTokenClaims } from './claims.ts'
import type { ClaimsHookEntry, PluginRuntime } from './registry.ts'
import type { TokenHookInput, TokenHooks } from '../oauth2/context.ts'
import { runIsolated } from './run_hooks.ts'
import { configuredWebhooks, type TokenHookDraft } from './webhooks.ts'

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

async function runClaimsHooks(ctx: CoreContext, hooks: readonly ClaimsHookEntry[], draft: TokenHookDraft, requestedAt: number): Promise<void> {
  for (const { owner, fn } of hooks) {
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
async function applyTokenHooks(ctx: CoreContext, hooks: readonly ClaimsHookEntry[], input: TokenHookInput): Promise<Issuance> {
  const webhooks = configuredWebhooks(ctx, input.grantType)
  if (hooks.length === 0 && webhooks.length === 0) return input.issuance
  const draft = draftOf(input)
  await runClaimsHooks(ctx, hooks, draft, input.requestedAt)
  for (const webhook of webhooks) await webhook(ctx, draft)
  return issuanceOf(draft)
}

/** The token hook point of an app: its plugins' `token.claims` hooks and the configured webhooks. */
export const tokenHooksOf = (ctx: CoreContext, runtime: PluginRuntime): TokenHooks => ({
  apply: (input) => applyTokenHooks(ctx, runtime.claimsHooks, input),
})
