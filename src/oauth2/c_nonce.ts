import { createHash } from 'node:crypto'
import type { CoreContext } from '../protocol/context.ts'
import { InvalidRequest } from '../protocol/errors.ts'
import type { Issuance } from './issue.ts'

/** The scope of Hydra's UserInfo verifiable credential (OpenID4VCI draft 00). */
export const CREDENTIAL_SCOPE = 'userinfo_credential_draft_00'

/** Whether granted scopes open the credential endpoint: `openid` and the credential scope, both (as Hydra asks). */
export const grantsCredential = (scope: readonly string[]) => scope.includes(CREDENTIAL_SCOPE) && scope.includes('openid')

/** A fresh c_nonce and its lifetime in seconds. */
export interface CNonce {
  c_nonce: string
  c_nonce_expires_in: number
}

type NonceContext = Pick<CoreContext, 'config' | 'clock' | 'sealer' | 'store'>

const aadOf = (requestId: string) => `c_nonce:${requestId}`

/**
 * A c_nonce for the grant `requestId`: its expiry sealed with the system secret and bound to the grant, so nothing
 * is stored until it is spent.
 */
export function mintCNonce(ctx: NonceContext, requestId: string): CNonce {
  const lifespan = ctx.config.ttl.vc_nonce
  return {
    c_nonce: ctx.sealer.seal(String(ctx.clock() + lifespan), aadOf(requestId)),
    c_nonce_expires_in: Math.round(lifespan / 1000),
  }
}

/**
 * The issuance with Hydra's token response members `c_nonce_draft_00` and `c_nonce_expires_in_draft_00` added,
 * a c_nonce for the grant the tokens are minted in.
 */
export function withCNonce(ctx: NonceContext, issuance: Issuance): Issuance {
  const extraResponse = issuance.extraResponse
  return {
    ...issuance,
    extraResponse: async (minted, stored) => {
      const nonce = mintCNonce(ctx, minted.request_id)
      return { ...(await extraResponse?.(minted, stored)), c_nonce_draft_00: nonce.c_nonce, c_nonce_expires_in_draft_00: nonce.c_nonce_expires_in }
    },
  }
}

const invalidNonce = InvalidRequest.with({ hint: 'The nonce is invalid.' })

/**
 * Spends a c_nonce presented for the grant `requestId`: it must have been minted for that grant, be unexpired and
 * unused. It is then remembered, by its SHA-256 digest only, until it expires, so it is accepted once.
 */
export async function spendCNonce(ctx: NonceContext, requestId: string, nonce: string): Promise<void> {
  // One spelling per nonce: base64url with spare bits set would open too, yet digest differently.
  if (Buffer.from(nonce, 'base64url').toString('base64url') !== nonce) throw invalidNonce
  let expiresAt: number
  try {
    expiresAt = Number(ctx.sealer.open(nonce, aadOf(requestId)))
  } catch {
    throw invalidNonce
  }
  if (!Number.isSafeInteger(expiresAt)) throw invalidNonce
  const now = ctx.clock()
  if (expiresAt <= now) throw InvalidRequest.with({ hint: 'The nonce has expired.' })
  const digest = createHash('sha256').update(`c_nonce:${nonce}`).digest('hex')
  if (!(await ctx.store.jti.remember(digest, expiresAt, now))) throw InvalidRequest.with({ hint: 'The nonce has already been used.' })
}
