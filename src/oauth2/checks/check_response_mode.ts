import { InvalidRequest } from '../../protocol/errors.ts'
import { RESPONSE_MODES, type ResponseMode } from '../response_modes/index.ts'
import type { Check } from './authorization_request.ts'

const isResponseMode = (value: string): value is ResponseMode => (RESPONSE_MODES as readonly string[]).includes(value)

/** OAuth 2.0 Multiple Response Types §2.1 and Form Post Response Mode: query (the default for code), fragment, form_post. */
export const checkResponseMode: Check = (r) => {
  const mode = r.params.get('response_mode')
  if (mode === undefined) return
  if (!isResponseMode(mode)) {
    throw InvalidRequest.with({ hint: `The response_mode "${mode}" is not supported; use query, fragment or form_post.` })
  }
  r.responseMode = mode
}
