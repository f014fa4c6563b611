import type { AppContext } from '../context.ts'
import type { ConsentPolicy, TokenClaimsHook } from './api.ts'

/** Who a hook belongs to: the plugin (or webhook) named in logs, and how long it may take. */
export interface HookOwner {
  readonly name: string
  /** Milliseconds before a hook call is abandoned with server_error. */
  readonly timeout: number
}

export interface ClaimsHookEntry {
  readonly owner: HookOwner
  readonly fn: TokenClaimsHook
}

export interface ConsentPolicyEntry {
  readonly owner: HookOwner
  readonly policy: ConsentPolicy
}

/** A plugin that was set up, for logs and `gatehouse` diagnostics. */
export interface InstalledPlugin {
  readonly name: string
  readonly version: string
  readonly source: string
}

/** Everything plugins registered on one app. */
export interface PluginRuntime {
  readonly installed: InstalledPlugin[]
  readonly claimsHooks: ClaimsHookEntry[]
  readonly consentPolicies: ConsentPolicyEntry[]
}

const runtimes = new WeakMap<AppContext, PluginRuntime>()

/** The plugin runtime of an app; empty until plugins are loaded. */
export function pluginRuntime(ctx: AppContext): PluginRuntime {
  let runtime = runtimes.get(ctx)
  if (!runtime) runtimes.set(ctx, (runtime = { installed: [], claimsHooks: [], consentPolicies: [] }))
  return runtime
}
