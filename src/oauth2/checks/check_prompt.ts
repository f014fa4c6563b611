import { InvalidRequest } from '../../protocol/errors.ts'
import type { Check } from './authorization_request.ts'

const PROMPTS = new Set(['none', 'login', 'consent', 'select_account'])

/** OIDC Core §3.1.2.1: known prompt values only, and `none` never together with another value. */
export const checkPrompt: Check = (r) => {
  const prompt = [...new Set((r.params.get('prompt') ?? '').split(' ').filter(Boolean))]
  for (const p of prompt) {
    if (!PROMPTS.has(p)) throw InvalidRequest.with({ hint: `Used unknown value "${p}" for prompt parameter.` })
  }
  if (prompt.includes('none') && prompt.length > 1) {
    throw InvalidRequest.with({ hint: "Parameter 'prompt' was set to 'none', but contains other values as well which is not allowed." })
  }
  r.prompt = prompt
}
