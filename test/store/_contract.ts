import { afterEach, beforeEach, describe } from 'bun:test'
import type { SharedStores } from '../_harness.ts'
import { batchesContract } from './_contract_batches.ts'
import { clientsContract } from './_contract_clients.ts'
import { devicesContract } from './_contract_devices.ts'
import { flowsContract } from './_contract_flows.ts'
import { keysContract } from './_contract_keys.ts'
import { racesContract } from './_contract_races.ts'
import { reuseContract } from './_contract_reuse.ts'
import type { ContractContext } from './_contract_rows.ts'
import { tokensContract } from './_contract_tokens.ts'
import { trustContract } from './_contract_trust.ts'
import { txContract } from './_contract_tx.ts'

/** Opens `count` stores with separate connections on one fresh, migrated, empty database. */
export type OpenStores = (count: number) => Promise<SharedStores>

/**
 * Registers the store contract: every method of every store, transactions, single-winner races across
 * connections and batched expiry. Each test gets a fresh database from `open`.
 */
export function storeContract(name: string, open: OpenStores) {
  describe(`store contract (${name})`, () => {
    let current: SharedStores | undefined
    const extra: SharedStores[] = []

    beforeEach(async () => {
      current = await open(1)
    })

    afterEach(async () => {
      const all = [current, ...extra.splice(0)]
      current = undefined
      await Promise.all(all.map((s) => s?.close()))
    })

    const ctx: ContractContext = {
      store: () => {
        if (!current) throw new Error('no store: the database could not be opened')
        return current.stores[0]!
      },
      shared: async (count) => {
        const opened = await open(count)
        extra.push(opened)
        return opened.stores
      },
    }

    clientsContract(ctx)
    keysContract(ctx)
    tokensContract(ctx)
    reuseContract(ctx)
    flowsContract(ctx)
    trustContract(ctx)
    txContract(ctx)
    racesContract(ctx)
    batchesContract(ctx)
    devicesContract(ctx)
  })
}
