import { expect } from 'bun:test'

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

/** The session cookie's name in tests (no --dev). */
export const SESSION_COOKIE = 'ory_hydra_session'
