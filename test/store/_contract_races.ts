import { describe, expect, it } from 'bun:test'
import type { SqlStore } from '../../src/store/sql/store.ts'
import { StoreError, type TokenKind } from '../../src/store/types.ts'
import { T0, clientRow, flowRow, keyRow, tokenRow, trustRow, yieldToEventLoop, type ContractContext } from './_contract_rows.ts'

const CALLERS = 20
const CONNECTIONS = 4

/** Starts CALLERS calls at once, spread over the connections, and waits for all of them. */
function race<T>(stores: SqlStore[], call: (s: SqlStore, i: number) => Promise<T>) {
  return Promise.allSettled(Array.from({ length: CALLERS }, (_, i) => call(stores[i % stores.length]!, i)))
}

const fulfilled = <T>(results: PromiseSettledResult<T>[]) =>
  results.filter((r): r is PromiseFulfilledResult<T> => r.status === 'fulfilled').map((r) => r.value)

const rejectedCodes = (results: PromiseSettledResult<unknown>[]) =>
  results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as StoreError).code)

export function racesContract(ctx: ContractContext) {
  describe('concurrent single-winner updates', () => {
    for (const kind of ['authorization_code', 'refresh_token', 'access_token'] as TokenKind[]) {
      it(`lets exactly one of ${CALLERS} concurrent consume() calls on separate connections win (${kind})`, async () => {
        const stores = await ctx.shared(CONNECTIONS)
        await stores[0]!.tokens.insert(kind, tokenRow('contested'))
        const results = await race(stores, (s, i) => s.tokens.consume(kind, 'contested', T0 + i))
        expect(fulfilled(results).length).toBe(CALLERS)
        const winners = fulfilled(results).filter((r) => r !== null)
        expect(winners.length).toBe(1)
        const row = await stores[1]!.tokens.get(kind, 'contested')
        expect(row).toEqual(winners[0]!)
        expect(row?.used_times).toBe(1)
      })
    }

    it(`lets exactly one of ${CALLERS} concurrent refresh rotations (consume + insert in tx) win across connections`, async () => {
      const stores = await ctx.shared(CONNECTIONS)
      await stores[0]!.tokens.insert('refresh_token', tokenRow('old-rt'))
      const results = await race(stores, (s, i) =>
        s.tx(async (t) => {
          await yieldToEventLoop()
          const old = await t.tokens.consume('refresh_token', 'old-rt', T0 + i)
          if (!old) throw new Error('refresh token already used')
          await yieldToEventLoop()
          await t.tokens.insert('refresh_token', tokenRow(`new-rt-${i}`, { request_id: old.request_id }))
          return i
        }),
      )
      const winners = fulfilled(results)
      expect(winners.length).toBe(1)
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as Error).message).toBe('refresh token already used')
      }
      expect(await stores[2]!.tokens.count('refresh_token')).toBe(2)
      expect(await stores[3]!.tokens.get('refresh_token', `new-rt-${winners[0]}`)).not.toBeNull()
      expect((await stores[3]!.tokens.get('refresh_token', 'old-rt'))?.used_times).toBe(1)
    })

    it(`lets exactly one of ${CALLERS} concurrent transactions on one store consume a code`, async () => {
      const s = ctx.store()
      await s.tokens.insert('authorization_code', tokenRow('code'))
      const results = await race([s], (store, i) =>
        store.tx(async (t) => {
          await yieldToEventLoop()
          const code = await t.tokens.consume('authorization_code', 'code', T0 + i)
          if (code) await t.tokens.insert('access_token', tokenRow(`at-${i}`, { request_id: code.request_id }))
          return code !== null
        }),
      )
      expect(fulfilled(results).filter(Boolean).length).toBe(1)
      expect(await s.tokens.count('access_token')).toBe(1)
    })

    it('stores a flow once when many connections redeem it at once', async () => {
      const stores = await ctx.shared(CONNECTIONS)
      const results = await race(stores, (s, i) => s.flows.insertFlow(flowRow('verifier', { subject: `s${i}` })))
      expect(fulfilled(results).length).toBe(1)
      expect(rejectedCodes(results)).toEqual(Array(CALLERS - 1).fill('conflict'))
    })

    it('creates a client id once when many connections try at once', async () => {
      const stores = await ctx.shared(CONNECTIONS)
      const results = await race(stores, (s) => s.clients.create(clientRow('contested')))
      expect(fulfilled(results).length).toBe(1)
      expect(rejectedCodes(results)).toEqual(Array(CALLERS - 1).fill('conflict'))
    })

    it('adds a kid once when many connections try at once', async () => {
      const stores = await ctx.shared(CONNECTIONS)
      const results = await race(stores, (s, i) => s.keys.add(keyRow('set', 'kid', { keydata: `k${i}` })))
      expect(fulfilled(results).length).toBe(1)
      expect(rejectedCodes(results)).toEqual(Array(CALLERS - 1).fill('conflict'))
      expect((await stores[0]!.keys.listSet('set')).length).toBe(1)
    })

    it('trusts an issuer, subject and key id once when many connections add it at once', async () => {
      const stores = await ctx.shared(CONNECTIONS)
      const results = await race(stores, (s, i) => s.trust.create(trustRow(`trust-${i}`)))
      expect(fulfilled(results).length).toBe(1)
      expect(rejectedCodes(results)).toEqual(Array(CALLERS - 1).fill('conflict'))
      expect((await stores[0]!.trust.list({ limit: 100 })).length).toBe(1)
    })

    it('accepts a jti once when many connections present it at once', async () => {
      const stores = await ctx.shared(CONNECTIONS)
      const results = await race(stores, (s) => s.jti.remember('assertion-jti', T0 + 60_000, T0))
      expect(fulfilled(results).filter((fresh) => fresh).length).toBe(1)
      expect(fulfilled(results).length).toBe(CALLERS)
    })
  })
}
