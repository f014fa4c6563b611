import { InvalidRequest } from '../../protocol/errors.ts'
import type { Check } from './authorization_request.ts'

/**
 * The prompt values accepted (`prompt_values_supported`): OIDC Core §3.1.2.1's, Hydra's `registration` and `create`
 * (OpenID Connect Initiating User Registration 1.0 §4.1).
 */
export const PROMPT_VALUES: readonly string[] = ['none', 'login', 'consent', 'select_account', 'registration', 'create']

/** Whether the End-User asked to create an account (prompt=registration or prompt=create) rather than to log in. */
export const asksForRegistration = (prompt: readonly string[]) => prompt.includes('registration') || prompt.includes('create')

/** OIDC Core §3.1.2.1: known prompt values only, and `none` never together with another value. */
export const checkPrompt: Check = (r) => {
  const prompt = [...new Set((r.params.get('prompt') ?? '').split(' ').filter(Boolean))]
  for (const p of prompt) {
    if (!PROMPT_VALUES.includes(p)) throw InvalidRequest.with({ hint: `Used unknown value "${p}" for prompt parameter.` })
  }
  if (prompt.includes('none') && prompt.length > 1) {
    throw InvalidRequest.with({ hint: "Parameter 'prompt' was set to 'none', but contains other values as well which is not allowed." })
  }
  r.prompt = prompt
}
