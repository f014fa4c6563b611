import { describe, expect, it } from 'bun:test'
import { storeFactories } from '../_harness.ts'

const T0 = Date.UTC(2026, 0, 1)

for (const factory of storeFactories()) {
  describe(`handled challenges in the store (${factory.name})`, () => {
    it('marks a challenge handled once, of any number of concurrent callers, and reads the redirect back', async () => {
      const store = await factory.open()
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.flows.markHandled('lc:1', `redirect-${i}`, T0 + 1000)))
      expect(results.filter(Boolean)).toHaveLength(1)
      const winner = results.indexOf(true)
      expect(await store.flows.getHandled('lc:1')).toBe(`redirect-${winner}`)
      expect(await store.flows.markHandled('lc:1', 'later', T0 + 1000)).toBe(false)
      expect(await store.flows.getHandled('lc:2')).toBeNull()
    })

    it('lets the janitor delete expired handled challenges after flows and sessions', async () => {
      const store = await factory.open()
      await store.flows.markHandled('old-1', 'x', T0 - 2)
      await store.flows.markHandled('old-2', 'x', T0 - 1)
      await store.flows.markHandled('edge', 'x', T0)
      await store.flows.upsertLoginSession({
        id: 'ls',
        subject: 'alice',
        authenticated_at: T0 - 10,
        remember: true,
        identity_provider_session_id: '',
        expires_at: T0 - 1,
      })
      expect(await store.flows.deleteExpired(T0, 2)).toBe(2)
      expect(await store.flows.getLoginSession('ls')).toBeNull()
      expect(await store.flows.deleteExpired(T0, 100)).toBe(1)
      expect(await store.flows.getHandled('old-1')).toBeNull()
      expect(await store.flows.getHandled('old-2')).toBeNull()
      expect(await store.flows.getHandled('edge')).toBe('x')
      expect(await store.flows.deleteExpired(T0, 100)).toBe(0)
    })
  })
}
