import type { OAuth2Client } from '../protocol/client.ts'
import type { AuthenticatedLogin, AuthorizationSnapshot, ConsentAcceptance } from './state.ts'

/** One policy's verdict, as the consent app and the logs see it. */
export interface PolicyDecision {
  plugin: string
  policy: string
  action: 'skip' | 'narrow' | 'prompt' | 'deny'
  reason?: string
}

/** What a `skip` verdict grants in place of the consent app. */
export type PolicyGrant = Omit<ConsentAcceptance, 'context' | 'handled_at'>

export interface ConsentPolicyOutcome {
  /** The request, narrowed by `narrow` verdicts. */
  request: AuthorizationSnapshot
  /** Whether some verdict narrowed it. */
  narrowed: boolean
  /** A `prompt` verdict: ask the consent app even when an earlier consent covers the request. */
  prompt: boolean
  /** A `skip` verdict: consent is given without asking. */
  grant: PolicyGrant | null
  decisions: PolicyDecision[]
}

export interface ConsentPolicyInput {
  client: OAuth2Client
  request: AuthorizationSnapshot
  login: AuthenticatedLogin
  previouslyConsented: boolean
}
