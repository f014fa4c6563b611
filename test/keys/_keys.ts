import { expect } from 'bun:test'
import type { JWK } from 'jose'
import { sdkError } from '../_harness.ts'

export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const

export function expectNoPrivateParts(keys: JWK[]) {
  for (const key of keys) for (const m of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(m)
}

/** Awaits an SDK call that must fail; asserts the exact status and `error`, returns the description. */
export async function expectSdkError(call: Promise<unknown>, status: number, error: string): Promise<string> {
  const failure = await sdkError(call)
  expect(failure.status).toBe(status)
  expect(failure.body.error).toBe(error)
  return failure.body.error_description ?? ''
}

export const jsonInit = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})
