import type { CoreContext } from '../protocol/context.ts'
import type { GrantHandler } from '../oauth2/grants/index.ts'
import { CLIENT_AUTH_PARAMS } from '../oauth2/client_auth/index.ts'
import { introspectToken } from '../oauth2/introspect.ts'
import type { ConsentPolicy, GrantDefinition, HookMap, Introspection, Plugin, PluginApi } from './api.ts'
import { customGrantHandler } from './custom_grant.ts'
import type { ClaimsHookEntry, ConsentPolicyEntry, HookOwner } from './registry.ts'

/** What a plugin registered during setup; committed to the app only when setup succeeded. */
export interface Staged {
  grants: GrantHandler[]
  claimsHooks: ClaimsHookEntry[]
  consentPolicies: ConsentPolicyEntry[]
}

// RFC 6749 §4.5 / Appendix A.10: an absolute URI, or a name of unreserved characters.
const GRANT_NAME = /^[A-Za-z0-9._~-]+$/

function isAbsoluteUri(value: string): boolean {
  try {
    return value.includes(':') && Boolean(new URL(value).protocol)
  } catch {
    return false
  }
}

function checkGrant(def: GrantDefinition): void {
  if (!def || typeof def !== 'object') throw new TypeError('api.grant() needs a grant definition')
  const { grantType, params, clientAuth, handle } = def
  if (typeof grantType !== 'string' || !(GRANT_NAME.test(grantType) || isAbsoluteUri(grantType))) {
    throw new TypeError('grantType must be an absolute URI or a name of letters, digits and ._~-')
  }
  if (!Array.isArray(params) || !params.every((p) => typeof p === 'string' && p !== 'grant_type' && !CLIENT_AUTH_PARAMS.includes(p))) {
    throw new TypeError(`grant "${grantType}": params must be a list of parameter names, without grant_type and client credentials`)
  }
  if (clientAuth !== 'required' && clientAuth !== 'optional') {
    throw new TypeError(`grant "${grantType}": clientAuth must be 'required' or 'optional'`)
  }
  if (typeof handle !== 'function') throw new TypeError(`grant "${grantType}": handle must be a function`)
}

function introspection(ctx: CoreContext) {
  return async (token: string): Promise<Introspection> => {
    if (typeof token !== 'string' || !token) return { active: false }
    const { token_type: _, nbf: __, ...result } = await introspectToken(ctx, token)
    return structuredClone(result)
  }
}

/**
 * The `api` a plugin's setup receives. Registration works until `close()`; the services keep working after.
 */
export function pluginApi(ctx: CoreContext, plugin: Plugin, options: unknown, owner: HookOwner, staged: Staged) {
  let open = true
  const registering = (what: string) => {
    if (!open) throw new TypeError(`plugin "${plugin.name}": ${what} is only available during setup`)
  }
  const logger = ctx.logger.child({ plugin: plugin.name })
  const api: PluginApi<unknown> = Object.freeze({
    name: plugin.name,
    options,
    issuer: ctx.issuer,
    logger: { debug: logger.debug, info: logger.info, warn: logger.warn, error: logger.error },
    clock: () => ctx.clock(),
    grant(def: GrantDefinition) {
      registering('api.grant()')
      checkGrant(def)
      staged.grants.push(customGrantHandler(owner, { ...def, params: [...def.params] }))
    },
    hook<K extends keyof HookMap>(name: K, fn: HookMap[K]) {
      registering('api.hook()')
      if (name !== 'token.claims') throw new TypeError(`unknown hook "${String(name)}"; hooks: token.claims`)
      if (typeof fn !== 'function') throw new TypeError('api.hook() needs a function')
      staged.claimsHooks.push({ owner, fn })
    },
    consentPolicy(policy: ConsentPolicy) {
      registering('api.consentPolicy()')
      if (!policy || typeof policy.name !== 'string' || !policy.name || typeof policy.check !== 'function') {
        throw new TypeError('api.consentPolicy() needs {name, check}')
      }
      staged.consentPolicies.push({ owner, policy: { name: policy.name, check: policy.check } })
    },
    clients: Object.freeze({
      get: async (clientId: string) => {
        const record = typeof clientId === 'string' && clientId ? await ctx.clients.get(clientId) : null
        return record ? structuredClone(record.client) : null
      },
    }),
    tokens: Object.freeze({ introspect: introspection(ctx) }),
    keys: Object.freeze({ jwks: async () => structuredClone(await ctx.keys.publicJwks()) }),
  })
  return {
    api,
    close() {
      open = false
    },
  }
}
