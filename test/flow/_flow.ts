import { expect } from 'bun:test'
import type { TestServer } from '../_harness.ts'

/** Rows in a table of the server's store. */
export async function rows(s: TestServer, table: string): Promise<number> {
  const [row] = await s.store.driver.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`)
  return Number(row!.n)
}

/** Status and body of an SDK call that must fail (axios rejects every non-2xx answer). */
export async function failure(call: Promise<unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    await call
  } catch (err) {
    const response = (err as { response?: { status: number; data: Record<string, unknown> } }).response
    if (response) return { status: response.status, body: response.data }
    throw err
  }
  throw new Error('the call succeeded')
}

/** A JSON response body as an object. */
export const bodyOf = async (res: Response) => (await res.json()) as Record<string, unknown>

/** Asserts the built-in error page with `status` and `error`. */
export async function expectErrorPage(res: Response, status: number, error: string): Promise<string> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toStartWith('text/html')
  const html = await res.text()
  expect(/<code>([^<]*)<\/code>/.exec(html)?.[1]).toBe(error)
  return html
}

/** Asserts a JSON error body with `status` and `error`. */
export async function expectJsonError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status)
  const body = (await res.json()) as { error: string; error_description: string }
  expect(body.error).toBe(error)
  return body
}

/** The session cookie's name in tests (no --dev). */
export const SESSION_COOKIE = 'ory_hydra_session'
