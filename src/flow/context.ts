import type { OidcContext } from '../oidc/context.ts'
import type { FlowApps } from './apps.ts'
import type { ConsentPolicyInput, ConsentPolicyOutcome } from './consent_policy.ts'

/** Ordered checks after login and before the consent app is asked (plugins' consent policies). */
export interface ConsentPolicies {
  /** The request as the policies leave it; throws the OAuthError of a `deny` verdict. */
  apply(input: ConsentPolicyInput): Promise<ConsentPolicyOutcome>
}

/** What the login, consent and logout flow needs of an app. */
export interface FlowContext extends OidcContext {
  readonly consentPolicies: ConsentPolicies
  /** Where the browser is sent to log in, consent and log out. */
  readonly apps: FlowApps
}
