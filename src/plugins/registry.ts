import type { GrantHandler } from '../oauth2/grants/index.ts'
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

/** Everything the configured plugins registered; loadPlugins builds it before the app, which is built from it. */
export interface PluginRuntime {
  readonly installed: readonly InstalledPlugin[]
  /** Custom grants, added to the built-in ones. */
  readonly grants: readonly GrantHandler[]
  readonly claimsHooks: readonly ClaimsHookEntry[]
  readonly consentPolicies: readonly ConsentPolicyEntry[]
}

/** An app without plugins. */
export const NO_PLUGINS: PluginRuntime = Object.freeze({ installed: [], grants: [], claimsHooks: [], consentPolicies: [] })
