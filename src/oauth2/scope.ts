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

export function scopeStrategy(ctx: CoreContext): ScopeStrategy {
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
