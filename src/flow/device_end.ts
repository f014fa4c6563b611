import { oidcSessionOf } from '../oauth2/authorize_session.ts'
import { sealDeviceSession } from '../oauth2/device_code.ts'
import { untrustedError } from '../oauth2/response_modes/index.ts'
import { AccessDenied, InvalidRequest } from '../protocol/errors.ts'
import type { Outcome } from '../protocol/outcome.ts'
import type { DeviceGrant } from '../store/types.ts'
import { withParam } from '../util/with_param.ts'
import { authorizeSessionOf, flowRow, storeFlowOnce } from './consent_verifier.ts'
import type { FlowEnd } from './flow_end.ts'

/** Where the browser ends without `urls.device.success` (outside --dev): a page that says the device is signed in. */
const DONE_PAGE: Outcome = {
  kind: 'page',
  status: 200,
  html:
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Device authorized</title></head><body>' +
    '<p>Your device is now signed in. You may close this page.</p></body></html>',
}

/**
 * The device verification endpoint's end of a flow (RFC 8628 §3.3): a rejected login or consent denies the device
 * (its polls answer access_denied) and shows the user the error; a given consent stores the flow and grants the
 * device authorization in one transaction (single winner: the first flow to finish for a user code), then the
 * browser goes to `urls.device.success`.
 */
export const DEVICE_END: FlowEnd = {
  serves: (request) => request.device_request_id !== undefined,
  async denied(ctx, request, denial) {
    await ctx.store.devices.deny(request.device_request_id!, ctx.clock())
    const why = denial.error_description ? `${denial.error}: ${denial.error_description}` : denial.error
    return untrustedError(ctx, AccessDenied.with({ hint: `The device was not authorized (${why}).` }))
  },
  async consented(ctx, client, challenge, accepted) {
    const requestId = challenge.request.device_request_id!
    const grant: DeviceGrant = {
      subject: challenge.login.subject,
      granted_scope: accepted.grant_scope,
      granted_audience: accepted.grant_access_token_audience,
      session_data: sealDeviceSession(ctx, requestId, {
        access_token_claims: accepted.session.access_token,
        oidc: oidcSessionOf(authorizeSessionOf(challenge, accepted)),
      }),
      flow_id: challenge.id,
    }
    const now = ctx.clock()
    await ctx.store.tx(async (store) => {
      await storeFlowOnce(store, flowRow(challenge, accepted))
      if (!(await store.devices.accept(requestId, grant, now))) {
        throw InvalidRequest.with({ hint: 'The user code has expired, or another browser used it meanwhile.' })
      }
    })
    const done = ctx.apps.device_done
    return done ? { kind: 'redirect', location: withParam(done, 'client_id', client.client_id) } : DONE_PAGE
  },
}
