import { describe, expect, it } from 'bun:test'
import type { Store } from '../../src/store/types.ts'
import { T0, clientRow, expectStoreError, flowRow, keyRow, sessionRow, tokenRow, type ContractContext } from './_contract_rows.ts'

/** One write to every aggregate. */
async function writeEverything(t: Store) {
  await t.clients.create(clientRow('tx-client'))
  await t.keys.add(keyRow('tx-set', 'tx-kid'))
  await t.tokens.insert('refresh_token', tokenRow('tx-token'))
  await t.flows.upsertLoginSession(sessionRow('tx-session'))
  await t.flows.insertFlow(flowRow('tx-flow'))
  expect(await t.jti.remember('tx-jti', T0 + 1000, T0)).toBe(true)
}

async function everythingWritten(s: Store) {
  return [
    (await s.clients.get('tx-client')) !== null,
    (await s.keys.get('tx-set', 'tx-kid')) !== null,
    (await s.tokens.get('refresh_token', 'tx-token')) !== null,
    (await s.flows.getLoginSession('tx-session')) !== null,
    (await s.flows.getFlow('tx-flow')) !== null,
    !(await s.jti.remember('tx-jti', T0 + 1000, T0)),
  ]
}

export function txContract(ctx: ContractContext) {
  describe('store', () => {
    it('answers ping and names its dialect', async () => {
      const s = ctx.store()
      await s.ping()
      expect(['sqlite', 'postgres']).toContain(s.dialect)
      expect(await s.tx(async (t) => t.dialect)).toBe(s.dialect)
    })
  })

  describe('tx', () => {
    it('commits writes to every aggregate together and returns the result', async () => {
      const s = ctx.store()
      expect(
        await s.tx(async (t) => {
          await writeEverything(t)
          expect(await everythingWritten(t)).toEqual([true, true, true, true, true, true])
          return 'done'
        }),
      ).toBe('done')
      expect(await everythingWritten(s)).toEqual([true, true, true, true, true, true])
    })

    it('rolls back everything when the function throws, and rethrows the same error', async () => {
      const s = ctx.store()
      const boom = new Error('boom')
      const err = await s
        .tx(async (t) => {
          await writeEverything(t)
          throw boom
        })
        .catch((e: unknown) => e)
      expect(err).toBe(boom)
      expect(await everythingWritten(s)).toEqual([false, false, false, false, false, false])
    })

    it('rolls back earlier writes when a statement fails', async () => {
      const s = ctx.store()
      await s.clients.create(clientRow('taken'))
      await expectStoreError(
        s.tx(async (t) => {
          await t.tokens.insert('authorization_code', tokenRow('code'))
          await t.clients.create(clientRow('taken'))
        }),
        'conflict',
      )
      expect(await s.tokens.get('authorization_code', 'code')).toBeNull()
      expect(await s.tokens.count('authorization_code')).toBe(0)
    })

    it('joins a nested tx to the outer transaction', async () => {
      const s = ctx.store()
      await expect(
        s.tx(async (t) => {
          await t.tx(async (inner) => inner.clients.create(clientRow('nested')))
          expect(await t.clients.get('nested')).not.toBeNull()
          throw new Error('outer fails')
        }),
      ).rejects.toThrow('outer fails')
      expect(await s.clients.get('nested')).toBeNull()
    })

    it('keeps working after a rolled-back transaction', async () => {
      const s = ctx.store()
      await s.tx(async () => Promise.reject(new Error('first'))).catch(() => {})
      await s.tx(async (t) => t.clients.create(clientRow('after')))
      await s.clients.create(clientRow('outside'))
      expect((await s.clients.list({ limit: 10 })).map((c) => c.id)).toEqual(['after', 'outside'])
    })

    it('hides uncommitted writes from other connections', async () => {
      const [a, b] = await ctx.shared(2)
      await a!.tx(async (t) => {
        await t.clients.create(clientRow('pending'))
        expect(await b!.clients.get('pending')).toBeNull()
      })
      expect(await b!.clients.get('pending')).not.toBeNull()
    })
  })
}
