import { expect } from 'bun:test'
import type { TestServer } from '../_harness.ts'

export interface ErrorBody {
  error: string
  error_description: string
}

/** The status and body of a failed SDK call (axios rejects on 4xx/5xx). */
export async function sdkError(call: Promise<unknown>): Promise<{ status: number; body: ErrorBody }> {
  try {
    await call
  } catch (err) {
    const response = (err as { response?: { status: number; data: ErrorBody } }).response
    if (!response) throw err
    return { status: response.status, body: response.data }
  }
  throw new Error('expected the call to fail')
}

/** Asserts an error response: exact status and `error`, and (optionally) a part of the description. */
export async function expectError(res: Response, status: number, error: string, describes?: string | RegExp) {
  const body = (await res.json()) as ErrorBody
  expect({ status: res.status, error: body.error }).toEqual({ status, error })
  if (describes) expect(body.error_description).toMatch(describes)
}

/** Every client id in the store, to prove that rejected requests stored nothing. */
export async function storedIds(s: TestServer): Promise<string[]> {
  return (await s.store.clients.list({ limit: 10_000 })).map((r) => r.id)
}
