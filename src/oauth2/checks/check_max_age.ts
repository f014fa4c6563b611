import { InvalidRequest } from '../../protocol/errors.ts'
import type { Check } from './authorization_request.ts'

/** OIDC Core §3.1.2.1: max_age is a non-negative number of seconds. */
export const checkMaxAge: Check = (r) => {
  const value = r.params.get('max_age')
  if (value === undefined) return
  if (!/^\d{1,10}$/.test(value)) throw InvalidRequest.with({ hint: "Parameter 'max_age' must be a non-negative integer." })
  r.maxAge = Number(value)
}
