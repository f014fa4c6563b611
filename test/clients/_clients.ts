import type { TestServer } from '../_harness.ts'

/** Every client id in the store, to prove that rejected requests stored nothing. */
export async function storedIds(s: TestServer): Promise<string[]> {
  return (await s.store.clients.list({ limit: 10_000 })).map((r) => r.id)
}
