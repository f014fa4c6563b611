import { assertOutboundAllowed, readLimited } from '../util/outbound_guard.ts'
import type { OAuth2Client } from '../protocol/client.ts'
import type { Config } from '../config/schema.ts'
import type { CoreContext } from '../protocol/context.ts'
import { AccessDenied } from '../protocol/errors.ts'
import type { Issuance } from '../oauth2/issue.ts'
import type { OidcSession } from '../oauth2/authorize_session.ts'
import { parseDuration } from '../util/duration.ts'
import type { Claims } from './api.ts'
import { withoutReserved } from './claims.ts'
import { isPlainObject } from '../protocol/json.ts'
import { DEFAULT_HOOK_TIMEOUT, runIsolated } from './run_hooks.ts'

/** What the token hook point has decided so far; hooks replace the claims. */
export interface TokenHookDraft {
  readonly grantType: string
  readonly client: OAuth2Client
  readonly issuance: Issuance
  readonly params: ReadonlyMap<string, string>
  readonly oidc: OidcSession | null
  /** Whether an ID token is issued (so ID-token claims matter). */
  readonly idToken: boolean
  accessTokenClaims: Claims
  idTokenClaims: Claims
}

type HookConfig = NonNullable<Config['oauth2']['token_hook']>
type Webhook = (ctx: CoreContext, draft: TokenHookDraft) => Promise<void>

/** Hydra's limit on a hook's answer. */
export const MAX_HOOK_RESPONSE = 5 << 20

// Credentials never leave for a webhook (Hydra strips the assertion).
const SECRET_PARAMS = new Set([
  'client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'code', 'code_verifier', 'refresh_token',
  'assertion', 'password', 'subject_token', 'actor_token', 'device_code',
])

interface Target {
  name: 'oauth2.token_hook' | 'oauth2.refresh_token_hook'
  url: string
  headers: Record<string, string>
  timeout: number
}

function targetOf(name: Target['name'], hook: HookConfig): Target {
  if (typeof hook === 'string') return { name, url: hook, headers: {}, timeout: DEFAULT_HOOK_TIMEOUT }
  const headers: Record<string, string> = {}
  const key = hook.auth?.config
  if (key?.in === 'header') headers[key.name] = key.value
  if (key?.in === 'cookie') headers.cookie = `${key.name}=${key.value}`
  return { name, url: hook.url, headers, timeout: hook.timeout ? parseDuration(hook.timeout) : DEFAULT_HOOK_TIMEOUT }
}

/** Problems with the webhook configuration (an http(s) URL is required), for startup. */
export function webhookConfigProblems(config: Config): string[] {
  const problems: string[] = []
  for (const key of ['token_hook', 'refresh_token_hook'] as const) {
    const hook = config.oauth2[key]
    if (!hook) continue
    const url = typeof hook === 'string' ? hook : hook.url
    let ok = false
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol)
    } catch {}
    if (!ok) problems.push(`oauth2.${key}${typeof hook === 'string' ? '' : '.url'}: must be an http or https URL`)
  }
  return problems
}

/** Hydra's oauth2.Session as the hooks receive it. */
function hydraSession(ctx: CoreContext, draft: TokenHookDraft) {
  const { issuance, oidc, client } = draft
  const { oauth2 } = ctx.config
  return {
    id_token: {
      id_token_claims: {
        iss: ctx.issuer,
        sub: issuance.subject,
        aud: [client.client_id],
        ...(oidc ? { auth_time: oidc.auth_time, rat: oidc.requested_at, acr: oidc.acr, amr: oidc.amr } : {}),
        ext: draft.idTokenClaims,
      },
      headers: { extra: {} },
      username: '',
      subject: issuance.subject,
    },
    extra: draft.accessTokenClaims,
    client_id: client.client_id,
    consent_challenge: issuance.flowId ?? '',
    exclude_not_before_claim: oauth2.exclude_not_before_claim,
    allowed_top_level_claims: oauth2.allowed_top_level_claims,
    mirror_top_level_claims: oauth2.mirror_top_level_claims,
  }
}

function payloadOf(params: ReadonlyMap<string, string>): Record<string, string[]> {
  return Object.fromEntries([...params].filter(([k]) => !SECRET_PARAMS.has(k)).map(([k, v]) => [k, [v]]))
}

function tokenHookBody(ctx: CoreContext, draft: TokenHookDraft) {
  const { issuance, client } = draft
  return {
    session: hydraSession(ctx, draft),
    request: {
      client_id: client.client_id,
      requested_scopes: [...(issuance.requestedScope ?? issuance.grantedScope)],
      granted_scopes: [...issuance.grantedScope],
      requested_audience: [...(issuance.requestedAudience ?? issuance.grantedAudience)],
      granted_audience: [...issuance.grantedAudience],
      grant_types: [draft.grantType],
      payload: payloadOf(draft.params),
    },
  }
}

function refreshHookBody(ctx: CoreContext, draft: TokenHookDraft) {
  const { issuance, client } = draft
  const granted = { granted_scopes: [...issuance.grantedScope], granted_audience: [...issuance.grantedAudience] }
  return {
    subject: issuance.subject,
    session: hydraSession(ctx, draft),
    requester: { client_id: client.client_id, ...granted, grant_types: [draft.grantType] },
    client_id: client.client_id,
    ...granted,
  }
}

function applyAnswer(ctx: CoreContext, target: Target, draft: TokenHookDraft, text: string): void {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new Error('the answer to 200 is not JSON')
  }
  const session = isPlainObject(body) ? body.session : undefined
  if (!isPlainObject(session)) throw new Error('the answer to 200 has no session object')
  const access = session.access_token ?? {}
  const id = session.id_token ?? {}
  if (!isPlainObject(access) || !isPlainObject(id)) throw new Error('session.access_token and session.id_token must be objects')
  const a = withoutReserved(access, 'access token')
  const i = withoutReserved(id, 'ID token')
  const dropped = [...a.dropped, ...i.dropped]
  if (dropped.length) ctx.logger.warn('webhook tried to set reserved claims; ignored', { plugin: target.name, claims: dropped })
  draft.accessTokenClaims = a.claims
  if (draft.idToken) draft.idTokenClaims = i.claims
}

function webhook(target: Target, bodyOf: (ctx: CoreContext, draft: TokenHookDraft) => unknown): Webhook {
  return (ctx, draft) =>
    runIsolated(ctx, target, 'webhook', async (signal) => {
      await assertOutboundAllowed(ctx.config.clients.http, target.url)
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...target.headers },
        body: JSON.stringify(bodyOf(ctx, draft)),
        redirect: 'manual',
        signal,
      })
      if (res.status === 200) return applyAnswer(ctx, target, draft, await readLimited(res, MAX_HOOK_RESPONSE, () => new Error('the answer exceeds 5 MiB')))
      await res.body?.cancel()
      if (res.status === 204) return
      if (res.status === 403) throw AccessDenied.with({ hint: `The ${target.name} denied the request.` })
      throw new Error(`answered HTTP ${res.status}`)
    })
}

/** The webhooks that run for a grant type: the refresh token hook (refresh_token only) first, then the token hook. */
export function configuredWebhooks(ctx: CoreContext, grantType: string): Webhook[] {
  const { token_hook, refresh_token_hook } = ctx.config.oauth2
  const hooks: Webhook[] = []
  if (refresh_token_hook && grantType === 'refresh_token') {
    hooks.push(webhook(targetOf('oauth2.refresh_token_hook', refresh_token_hook), refreshHookBody))
  }
  if (token_hook) hooks.push(webhook(targetOf('oauth2.token_hook', token_hook), tokenHookBody))
  return hooks
}
