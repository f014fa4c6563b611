import { InvalidScope } from '../../protocol/errors.ts'
import { clientScopes, parseScope, scopeStrategy } from '../scope.ts'
import type { Check } from './authorization_request.ts'

/** RFC 6749 §3.3, §4.1.2.1: every requested scope must be allowed for the client, else invalid_scope. */
export const checkScope: Check = (r) => {
  const scope = parseScope(r.params.get('scope'))
  const allowed = clientScopes(r.client!.scope)
  const allows = scopeStrategy(r.ctx)
  for (const s of scope) {
    if (!allows(allowed, s)) throw InvalidScope.with({ hint: `The OAuth 2.0 Client is not allowed to request scope "${s}".` })
  }
  r.scope = scope
}
