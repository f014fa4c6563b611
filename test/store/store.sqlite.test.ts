import { migrate } from '../../src/store/migrate.ts'
import { openStore } from '../../src/store/open.ts'
import { openSharedSqlite } from '../_harness.ts'
import { storeContract } from './_contract.ts'

storeContract('sqlite memory', async (count) => {
  if (count > 1) return openSharedSqlite(count)
  const store = await openStore('memory')
  await migrate(store.driver)
  return { stores: [store], close: () => store.close() }
})

storeContract('sqlite file (WAL)', openSharedSqlite)
