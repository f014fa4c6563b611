import { DEVICE_VERIFICATION_PATH, pendingAuthorization } from '../oauth2/device_code.ts'
import { InvalidRequest, RequestForbidden } from '../protocol/errors.ts'
import { withParam } from '../util/with_param.ts'
import { DeviceAcceptBody, parseBody } from './admin_bodies.ts'
import type { ChallengeKind } from './challenge.ts'
import type { FlowContext } from './context.ts'
import type { DeviceAcceptance, DeviceChallengeState, DeviceOutcome } from './state.ts'

/** Wrong user codes a device challenge survives (RFC 8628 §5.1: bounded guessing); the next one is refused, right or not. */
export const MAX_WRONG_USER_CODES = 5

async function acceptance(ctx: FlowContext, state: DeviceChallengeState, userCode: string): Promise<DeviceAcceptance> {
  // Every code tried counts, the right one included: it settles the challenge, so only wrong ones pile up.
  const attempts = await ctx.store.devices.countAttempt(state.id, state.expires_at)
  if (attempts > MAX_WRONG_USER_CODES) {
    throw RequestForbidden.with({
      hint: `More than ${MAX_WRONG_USER_CODES} wrong user codes were entered for this device challenge; start again at the verification URI.`,
    })
  }
  const row = await pendingAuthorization(ctx, userCode, ctx.clock())
  if (!row) throw InvalidRequest.with({ hint: 'The user code is unknown, has expired or was already used.' })
  return {
    request_id: row.request_id,
    client_id: row.client_id,
    requested_scope: row.requested_scope,
    requested_audience: row.requested_audience,
    requested_at: row.requested_at,
  }
}

/**
 * Hydra's device challenge (RFC 8628 §3.3): the device verification app accepts the user code the user typed; the
 * verifier leads back to the verification endpoint, which goes on to login and consent. There is no GET and no
 * reject: a user who gives up just leaves.
 */
export const DEVICE: ChallengeKind<DeviceChallengeState, DeviceOutcome> = {
  name: 'device',
  body: true,
  hints: {
    challenge: 'The device challenge is invalid, expired or was tampered with.',
    verifier: 'The device verifier is invalid.',
    used: 'The device verifier has already been used.',
  },
  // Hydra: the client becomes known with the user code, and travels with the verifier.
  returnUrl: (ctx, _state, outcome) => withParam(`${ctx.publicUrl}${DEVICE_VERIFICATION_PATH}`, 'client_id', outcome.accepted.client_id),
  accept(ctx, state, body) {
    const input = parseBody(DeviceAcceptBody, body)
    return async () => ({ verifier: { accepted: await acceptance(ctx, state, input.user_code) } })
  },
}
