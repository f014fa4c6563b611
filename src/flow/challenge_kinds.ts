import { CONSENT } from './consent_request.ts'
import { DEVICE } from './device_request.ts'
import { LOGIN } from './login_request.ts'
import { LOGOUT } from './logout_request.ts'

/**
 * Hydra's challenges, each a row of the one engine in challenge.ts: the admin API and the built-in pages get,
 * accept and reject them alike, and their verifiers open and are spent alike.
 */
export const CHALLENGE_KINDS = [LOGIN, CONSENT, LOGOUT, DEVICE] as const
