import type { CoreContext } from '../protocol/context.ts'
import type { ConsentPolicies } from '../flow/context.ts'
import type { ConsentPolicyInput, ConsentPolicyOutcome, PolicyDecision, PolicyGrant } from '../flow/consent_policy.ts'
import type { AuthorizationSnapshot } from '../flow/state.ts'
import { AccessDenied, OAuthError } from '../protocol/errors.ts'
import type { ConsentContext, ConsentDecision } from './api.ts'
import { checkClaims } from './claims.ts'
import { isPlainObject } from '../protocol/json.ts'
import type { ConsentPolicyEntry, PluginRuntime } from './registry.ts'
import { PluginContractError, runIsolated } from './run_hooks.ts'

const ACTIONS = new Set(['skip', 'narrow', 'prompt', 'deny'])
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')

function subsetOf(value: unknown, of: readonly string[], what: string): string[] | undefined {
  if (value === undefined) return undefined
  if (!isStrings(value)) throw new PluginContractError(`${what} must be a list of strings`)
  const extra = value.filter((v) => !of.includes(v))
  if (extra.length) throw new PluginContractError(`${what} may only keep what was requested, not "${extra[0]}"`)
  return [...new Set(value)]
}

/** Checks a verdict's shape (a wrong one is the plugin's fault: server_error). */
function checkDecision(d: unknown): ConsentDecision | undefined {
  if (d === undefined || d === null) return undefined
  if (!isPlainObject(d) || typeof d.action !== 'string' || !ACTIONS.has(d.action)) {
    throw new PluginContractError("a consent policy must return {action: 'skip'|'narrow'|'prompt'|'deny', …} or nothing")
  }
  if (d.reason !== undefined && typeof d.reason !== 'string') throw new PluginContractError('reason must be a string')
  return d as unknown as ConsentDecision
}

function grantOf(d: Extract<ConsentDecision, { action: 'skip' }>, request: AuthorizationSnapshot): PolicyGrant {
  const session = d.session === undefined ? {} : d.session
  if (!isPlainObject(session)) throw new PluginContractError('session must be {accessToken?, idToken?}')
  const rememberFor = d.rememberFor ?? 0
  if (!Number.isInteger(rememberFor) || rememberFor < 0) throw new PluginContractError('rememberFor must be a whole number of seconds')
  return {
    grant_scope: subsetOf(d.grantScope, request.scope, 'grantScope') ?? [...request.scope],
    grant_access_token_audience: subsetOf(d.grantAudience, request.audience, 'grantAudience') ?? [...request.audience],
    remember: d.remember === true,
    remember_for: rememberFor,
    session: {
      access_token: session.accessToken === undefined ? {} : checkClaims(session.accessToken, 'access token'),
      id_token: session.idToken === undefined ? {} : checkClaims(session.idToken, 'ID token'),
    },
  }
}

type Verdict =
  | { action: 'skip'; reason?: string; grant: PolicyGrant }
  | { action: 'narrow'; reason?: string; request: AuthorizationSnapshot }
  | { action: 'prompt'; reason?: string }
  | { action: 'deny'; reason?: string; error?: OAuthError }

/** A policy's answer, checked and resolved against the request it saw. */
function verdictOf(answer: unknown, request: AuthorizationSnapshot): Verdict | null {
  const d = checkDecision(answer)
  if (!d) return null
  const reason = d.reason ? { reason: d.reason } : {}
  switch (d.action) {
    case 'skip':
      return { action: 'skip', ...reason, grant: grantOf(d, request) }
    case 'narrow': {
      const scope = subsetOf(d.scope, request.scope, 'scope') ?? request.scope
      const audience = subsetOf(d.audience, request.audience, 'audience') ?? request.audience
      return { action: 'narrow', ...reason, request: { ...request, scope, audience } }
    }
    case 'prompt':
      return { action: 'prompt', ...reason }
    case 'deny':
      if (d.error !== undefined && !(d.error instanceof OAuthError)) throw new PluginContractError('deny.error must be an OAuthError')
      return { action: 'deny', ...reason, ...(d.error ? { error: d.error } : {}) }
  }
}

function contextOf(input: ConsentPolicyInput, request: AuthorizationSnapshot): ConsentContext {
  return Object.freeze({
    client: structuredClone(input.client),
    subject: input.login.subject,
    requestedScope: Object.freeze([...request.scope]),
    requestedAudience: Object.freeze([...request.audience]),
    prompt: Object.freeze([...request.prompt]),
    previouslyConsented: input.previouslyConsented,
    acr: input.login.acr,
    amr: Object.freeze([...input.login.amr]),
  })
}

/**
 * Runs the consent policies of the app's plugins in order, after login and before the consent app is asked.
 * `narrow` verdicts shrink the request and evaluation goes on; the first `skip`, `prompt` or `deny` ends it.
 * A `deny` throws its OAuthError (default access_denied), which the client receives. Every verdict is logged.
 */
async function applyConsentPolicies(
  ctx: CoreContext,
  policies: readonly ConsentPolicyEntry[],
  input: ConsentPolicyInput,
): Promise<ConsentPolicyOutcome> {
  const outcome: ConsentPolicyOutcome = { request: input.request, narrowed: false, prompt: false, grant: null, decisions: [] }
  for (const { owner, policy } of policies) {
    const request = outcome.request
    const context = contextOf(input, request)
    const v = await runIsolated(ctx, owner, `consent policy ${policy.name}`, async () => verdictOf(await policy.check(context), request))
    if (!v) continue
    const decision: PolicyDecision = { plugin: owner.name, policy: policy.name, action: v.action, ...(v.reason ? { reason: v.reason } : {}) }
    outcome.decisions.push(decision)
    ctx.logger.info('consent policy decision', { ...decision, client_id: input.client.client_id })
    switch (v.action) {
      case 'narrow':
        outcome.request = v.request
        outcome.narrowed = true
        continue
      case 'deny':
        throw v.error ?? AccessDenied.with({ hint: v.reason ?? `The consent policy "${policy.name}" denied the request.` })
      case 'skip':
        outcome.grant = v.grant
        return outcome
      case 'prompt':
        outcome.prompt = true
        return outcome
    }
  }
  return outcome
}

/** The consent policies plugins registered, as the flow runs them (in order, none when no plugin added one). */
export const consentPoliciesOf = (ctx: CoreContext, runtime: PluginRuntime): ConsentPolicies => ({
  apply: (input) => applyConsentPolicies(ctx, runtime.consentPolicies, input),
})
