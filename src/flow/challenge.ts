import type { Sealer } from '../crypto/aead.ts'
import type { OAuth2Client } from '../protocol/client.ts'
import { AccessDenied, InvalidRequest, MethodNotAllowed, NotFound } from '../protocol/errors.ts'
import { handledRedirect, recordHandled } from '../protocol/handled.ts'
import { withParam } from '../util/with_param.ts'
import type { FlowContext } from './context.ts'

/** Hydra's kinds of challenge, settled by the login, consent, logout and device verification apps through the admin API. */
export type ChallengeName = 'login' | 'consent' | 'logout' | 'device'

/** What a sealed value is for; it is bound as AEAD associated data, so one purpose never opens as another. */
export type ChallengePurpose = `${ChallengeName}_challenge` | `${ChallengeName}_verifier`

/** What the state sealed into every challenge carries. */
export interface ChallengeState {
  id: string
  /** Epoch ms; the challenge's handled marker lives as long. */
  expires_at: number
}

/** What an accept or reject settles to. */
export type Settlement<O> =
  /** A verifier carrying `O` with the challenge, for the browser to bring back where the kind's verifier leads. */
  | { verifier: O }
  /** Straight to this URL, without a verifier (a login app that authenticated someone else: log in again). */
  | { redirect: string }
  /** Nothing for the browser to bring back: 204, and later calls answer 410 with this redirect. */
  | { stay: string }

/** Settles an accepted or rejected challenge; runs once its body was read, and may still refuse (400 or 410). */
export type Settle<O> = () => Settlement<O> | Promise<Settlement<O>>

/** A verifier as sealed: the challenge it settles and what it settled to. */
export type Verifier<S, O> = { id: string; challenge: S } & O

/** What the admin API answers for a challenge. */
export interface AdminResult {
  status: number
  body: unknown
}

/**
 * One kind of challenge, a row of the engine below: its texts, what its admin GET shows, what accept and reject
 * carry, and where its verifier leads. `accept` and `reject` read the body first (bad input is a 400 even once the
 * challenge was handled) and return what settles it. A kind without `describe` has no GET, one without `reject` no
 * reject (Hydra's device challenge has neither).
 */
export interface ChallengeKind<S extends ChallengeState, O> {
  readonly name: ChallengeName
  /** Whether the admin API's accept and reject read a JSON body (logout's take none). */
  readonly body: boolean
  /** not_found for a challenge that does not open; access_denied for a verifier that does not, or was used. */
  readonly hints: { readonly challenge: string; readonly verifier: string; readonly used: string }
  /** Hydra's GET body for the challenge. */
  describe?(ctx: FlowContext, challenge: string, state: S): Promise<Record<string, unknown>>
  /** The URL the browser brings the verifier of `state` settled to `outcome` back to. */
  returnUrl(ctx: FlowContext, state: S, outcome: O): string
  accept(ctx: FlowContext, state: S, body: unknown): Settle<O>
  reject?(ctx: FlowContext, state: S, body: unknown): Settle<O>
}

interface Envelope<T> {
  /** expiry, epoch ms */
  e: number
  d: T
}

/**
 * Seals flow state into an opaque, URL-safe challenge or verifier (AES-256-GCM under secrets.system, purpose as
 * associated data, expiry inside). Nothing is stored; tampering or a wrong purpose fails to open.
 */
export function sealChallenge<T>(sealer: Sealer, purpose: ChallengePurpose, data: T, expiresAt: number): string {
  const envelope: Envelope<T> = { e: expiresAt, d: data }
  return sealer.seal(JSON.stringify(envelope), purpose)
}

/** The longest challenge or verifier accepted: they travel in URLs, and servers cap request lines. */
export const MAX_CHALLENGE_LENGTH = 16_384

/** Opens a challenge; null when it is malformed, tampered, of another purpose or expired. */
export function openChallenge<T>(sealer: Sealer, purpose: ChallengePurpose, value: string, now: number): T | null {
  if (!value || value.length > MAX_CHALLENGE_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) return null
  let envelope: Envelope<T>
  try {
    envelope = JSON.parse(sealer.open(value, purpose)) as Envelope<T>
  } catch {
    return null
  }
  if (typeof envelope?.e !== 'number' || envelope.e <= now) return null
  return envelope.d
}

/** Hydra's answer for a challenge that was already accepted or rejected: 410 with the earlier redirect. */
export const gone = (redirectTo: string): AdminResult => ({ status: 410, body: { redirect_to: redirectTo } })

/** The client of a flow as the admin API shows it (no secret); not_found when it was deleted meanwhile. */
export async function flowClient(ctx: FlowContext, clientId: string): Promise<OAuth2Client> {
  const record = await ctx.clients.get(clientId)
  if (!record) throw NotFound.with({ hint: 'The OAuth 2.0 Client of this request no longer exists.' })
  return record.client
}

function openState<S extends ChallengeState, O>(ctx: FlowContext, kind: ChallengeKind<S, O>, challenge: string): S {
  const state = openChallenge<S>(ctx.sealer, `${kind.name}_challenge`, challenge, ctx.clock())
  if (!state) throw NotFound.with({ hint: kind.hints.challenge })
  return state
}

/** The redirect that hands the browser a verifier of `state` settled to `outcome`. */
export function verifierRedirect<S extends ChallengeState, O>(ctx: FlowContext, kind: ChallengeKind<S, O>, state: S, outcome: O): string {
  const verifier = { id: crypto.randomUUID(), challenge: state, ...outcome }
  const sealed = sealChallenge(ctx.sealer, `${kind.name}_verifier`, verifier, ctx.clock() + ctx.config.ttl.login_consent_request)
  return withParam(kind.returnUrl(ctx, state, outcome), `${kind.name}_verifier`, sealed)
}

/**
 * Answers an accept or reject: builds the redirect and records the challenge as handled with it (single winner),
 * or answers 410 with the redirect recorded by whoever handled it first. The insert itself tells whether it was
 * first, so the usual path reads nothing; a challenge handled before still answers 410 when settling fails (a
 * scope no longer allowed, a client deleted meanwhile).
 */
async function settle<S extends ChallengeState, O>(ctx: FlowContext, kind: ChallengeKind<S, O>, state: S, run: Settle<O>): Promise<AdminResult> {
  const marker = `${kind.name}_challenge` as const
  let settlement: Settlement<O>
  let redirectTo: string
  try {
    settlement = await run()
    redirectTo = 'verifier' in settlement ? verifierRedirect(ctx, kind, state, settlement.verifier) : 'redirect' in settlement ? settlement.redirect : settlement.stay
    // The browser carries redirect_to back as a URL; a verifier beyond this would not even open.
    if (!('stay' in settlement) && redirectTo.length > MAX_CHALLENGE_LENGTH) {
      throw InvalidRequest.with({ hint: 'The accepted data is too large to travel back in the redirect URL.' })
    }
  } catch (err) {
    const previous = await handledRedirect(ctx, marker, state.id)
    if (previous !== null) return gone(previous)
    throw err
  }
  const previous = await recordHandled(ctx, marker, state.id, redirectTo, state.expires_at)
  if (previous !== null) return gone(previous)
  return 'stay' in settlement ? { status: 204, body: null } : { status: 200, body: { redirect_to: redirectTo } }
}

/** `GET …/requests/<kind>`: Hydra's request object, or 410 once handled. */
export async function getRequest<S extends ChallengeState, O>(ctx: FlowContext, kind: ChallengeKind<S, O>, challenge: string): Promise<AdminResult> {
  const describe = kind.describe ?? absent(kind, 'GET')
  const state = openState(ctx, kind, challenge)
  const previous = await handledRedirect(ctx, `${kind.name}_challenge`, state.id)
  if (previous !== null) return gone(previous)
  return { status: 200, body: await describe(ctx, challenge, state) }
}

/** `PUT …/requests/<kind>/accept`. */
export const acceptRequest = <S extends ChallengeState, O>(ctx: FlowContext, kind: ChallengeKind<S, O>, challenge: string, body?: unknown) =>
  answer(ctx, kind, challenge, (state) => kind.accept(ctx, state, body))

/** `PUT …/requests/<kind>/reject`. */
export function rejectRequest<S extends ChallengeState, O>(ctx: FlowContext, kind: ChallengeKind<S, O>, challenge: string, body?: unknown) {
  const reject = kind.reject ?? absent(kind, 'reject')
  return answer(ctx, kind, challenge, (state) => reject(ctx, state, body))
}

/** What a kind does not have (its admin route is not even registered). */
function absent(kind: ChallengeKind<ChallengeState, unknown>, what: string): never {
  throw MethodNotAllowed.with({ hint: `A ${kind.name} challenge has no ${what}.` })
}

async function answer<S extends ChallengeState, O>(
  ctx: FlowContext,
  kind: ChallengeKind<S, O>,
  challenge: string,
  read: (state: S) => Settle<O>,
): Promise<AdminResult> {
  const state = openState(ctx, kind, challenge)
  return settle(ctx, kind, state, read(state))
}

/** A verifier the browser brought back; access_denied when it is not one of ours, of this kind, unexpired. */
export function openVerifier<S extends ChallengeState, O>(ctx: FlowContext, kind: ChallengeKind<S, O>, value: string): Verifier<S, O> {
  const v = openChallenge<Verifier<S, O>>(ctx.sealer, `${kind.name}_verifier`, value, ctx.clock())
  if (!v) throw AccessDenied.with({ hint: kind.hints.verifier })
  return v
}

/** Spends a verifier (single winner across nodes); access_denied when it was used before. */
export async function spendVerifier<S extends ChallengeState, O>(ctx: FlowContext, kind: ChallengeKind<S, O>, v: Verifier<S, O>): Promise<void> {
  const expiresAt = ctx.clock() + ctx.config.ttl.login_consent_request
  if ((await recordHandled(ctx, `${kind.name}_verifier`, v.id, '', expiresAt)) !== null) throw AccessDenied.with({ hint: kind.hints.used })
}
