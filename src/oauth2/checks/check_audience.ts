import { checkAudience as checkAllowed, parseAudience } from '../audience.ts'
import type { Check } from './authorization_request.ts'

/** Hydra's `audience` parameter: every requested audience must be allowed by the client's `audience` list. */
export const checkAudience: Check = (r) => {
  const audience = parseAudience(r.params.get('audience'))
  checkAllowed(r.client!.audience ?? [], audience)
  r.audience = audience
}
