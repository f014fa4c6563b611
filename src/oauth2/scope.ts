import type { OAuth2Client } from '../protocol/client.ts'
import type { CoreContext } from '../protocol/context.ts'
import { InvalidScope } from '../protocol/errors.ts'

/** Decides whether a requested scope is covered by a list of allowed (or granted) scopes. */
export type ScopeStrategy = (allowed: readonly string[], scope: string) => boolean

/** `exact`: a scope is allowed only by an identical entry. */
export const exactScopeStrategy: ScopeStrategy = (allowed, scope) => allowed.includes(scope)

/**
 * `wildcard` (Hydra's default): dot-separated segments; a `*` segment stands for any non-empty segment, and a
 * trailing `*` also for any number of further segments (`foo.*` allows `foo.bar` and `foo.bar.baz`, not `foo`).
 */
export const wildcardScopeStrategy: ScopeStrategy = (allowed, scope) => allowed.some((pattern) => wildcardMatch(pattern, scope))

function wildcardMatch(pattern: string, scope: string): boolean {
  const want = pattern.split('.')
  const have = scope.split('.')
  if (want.length > have.length) return false
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!
    const last = i === want.length - 1
    if (segment === '*') {
      if (!have[i]) return false
      continue
    }
    if (segment !== have[i] || (last && want.length !== have.length)) return false
  }
  return true
}

export function scopeStrategy(ctx: Pick<CoreContext, 'config'>): ScopeStrategy {
  return ctx.config.strategies.scope === 'exact' ? exactScopeStrategy : wildcardScopeStrategy
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/** Splits a space-delimited scope parameter; a malformed scope token is invalid_scope (RFC 6749 §3.3). */
export function parseScope(value: string | undefined): string[] {
  if (!value) return []
  const scopes: string[] = []
  for (const token of value.split(' ')) {
    if (!token) continue
    if (!SCOPE_TOKEN.test(token)) throw InvalidScope.with({ hint: 'The scope parameter contains a malformed scope token.' })
    if (!scopes.includes(token)) scopes.push(token)
  }
  return scopes
}

/** A client's registered scope allow-list (`scope`, space-separated). */
export const clientScopes = (scope: string | undefined): string[] => (scope ?? '').split(' ').filter(Boolean)

/** RFC 6749 §3.3: the first of `scopes` the client may not request (per `strategies.scope`), or undefined. */
export function scopeNotAllowed(ctx: Pick<CoreContext, 'config'>, client: Pick<OAuth2Client, 'scope'>, scopes: readonly string[]): string | undefined {
  const allows = scopeStrategy(ctx)
  const allowed = clientScopes(client.scope)
  return scopes.find((scope) => !allows(allowed, scope))
}

/** RFC 6749 §3.3: a scope the client may not request is refused with invalid_scope. */
export function checkClientScopes(ctx: Pick<CoreContext, 'config'>, client: Pick<OAuth2Client, 'scope'>, scopes: readonly string[]): void {
  const refused = scopeNotAllowed(ctx, client, scopes)
  if (refused !== undefined) throw InvalidScope.with({ hint: `The OAuth 2.0 Client is not allowed to request scope "${refused}".` })
}
