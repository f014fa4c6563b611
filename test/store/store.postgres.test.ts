import { describe, expect, it } from 'bun:test'
import { openStore } from '../../src/store/open.ts'
import { TEST_DATABASE_URL, openSharedPostgres } from '../_harness.ts'
import { storeContract } from './_contract.ts'

if (TEST_DATABASE_URL) {
  describe('TEST_DATABASE_URL', () => {
    // Set means required: an unreachable server fails the run instead of skipping it.
    it('reaches the PostgreSQL server', async () => {
      const store = await openStore(TEST_DATABASE_URL!)
      try {
        expect(store.dialect).toBe('postgres')
      } finally {
        await store.close()
      }
    })
  })
  storeContract('postgres', (count) => openSharedPostgres(count))
} else {
  // The PostgreSQL contract needs a server; say so in the output instead of passing silently.
  console.warn('store contract (postgres) not run: set TEST_DATABASE_URL to run it against a server')
}
