import { expect } from 'bun:test'
import type { JWK } from 'jose'

/** Fast key generation for tests: ES256 for both default sets (the harness default too). */
export const FAST_KEYS = { 'keys.algorithms.id_token': 'ES256', 'keys.algorithms.access_token': 'ES256' }

export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const

export function expectNoPrivateParts(keys: JWK[]) {
  for (const key of keys) for (const m of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(m)
}

interface SdkFailure {
  response?: { status: number; data: { error?: string; error_description?: string } }
}

/** Awaits an SDK call that must fail; asserts the exact status and `error`, returns the description. */
export async function expectSdkError(call: Promise<unknown>, status: number, error: string): Promise<string> {
  let failure: SdkFailure | undefined
  try {
    await call
  } catch (err) {
    failure = err as SdkFailure
  }
  expect(failure?.response?.status).toBe(status)
  expect(failure?.response?.data.error).toBe(error)
  return failure?.response?.data.error_description ?? ''
}

/** Asserts a fetch response's exact status and `error`; returns the description. */
export async function expectError(res: Response, status: number, error: string): Promise<string> {
  const body = (await res.json()) as { error?: string; error_description?: string }
  expect({ status: res.status, error: body.error }).toEqual({ status, error })
  return body.error_description ?? ''
}

export const jsonInit = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})
