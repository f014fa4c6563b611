import { checkClientScopes, parseScope } from '../scope.ts'
import type { Check } from './authorization_request.ts'

/** RFC 6749 §3.3, §4.1.2.1: every requested scope must be allowed for the client, else invalid_scope. */
export const checkScope: Check = (r) => {
  const scope = parseScope(r.params.get('scope'))
  checkClientScopes(r.ctx, r.client!, scope)
  r.scope = scope
}
