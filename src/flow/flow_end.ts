import type { OAuth2Client } from '../protocol/client.ts'
import { AccessDenied } from '../protocol/errors.ts'
import type { Outcome } from '../protocol/outcome.ts'
import type { FlowContext } from './context.ts'
import type { AuthorizationSnapshot, ConsentAcceptance, ConsentChallengeState, Denial } from './state.ts'

/**
 * What a login and consent flow ends in, which depends on what started it: the authorization endpoint answers the
 * client at its redirect URI (consent_verifier.ts), the device verification endpoint settles the device's
 * authorization (device_end.ts). Login and consent themselves are the same for both.
 */
export interface FlowEnd {
  /** Whether a flow of this request ends here; a verifier of another kind of flow is refused. */
  serves(request: AuthorizationSnapshot): boolean
  /** A login or consent the app rejected (its verifier spent). */
  denied(ctx: FlowContext, request: AuthorizationSnapshot, denial: Denial): Promise<Outcome>
  /** A consent given: stores the flow exactly once (its id is the consent request id, so a replay fails) and answers. */
  consented(ctx: FlowContext, client: OAuth2Client, challenge: ConsentChallengeState, accepted: ConsentAcceptance): Promise<Outcome>
}

/** Refuses a verifier whose flow does not end at this endpoint (a device flow's brought to /oauth2/auth, or back). */
export function checkFlowEnd(end: FlowEnd, request: AuthorizationSnapshot, hint: string): void {
  if (!end.serves(request)) throw AccessDenied.with({ hint })
}
