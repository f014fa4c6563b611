import { Elysia } from 'elysia'
import type { AppContext } from '../context.ts'
import { json } from './body.ts'

const READY_TIMEOUT_MS = 2000

async function storeReady(ctx: AppContext): Promise<string | null> {
  let timer: Timer | undefined
  try {
    await Promise.race([
      ctx.store.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS)
      }),
    ])
    return null
  } catch (err) {
    return (err as Error).message || 'unreachable'
  } finally {
    clearTimeout(timer)
  }
}

/** `/health/alive` (the process answers) and `/health/ready` (the store answers too). */
export const healthRoutes = (ctx: AppContext, prefix = '') =>
  new Elysia({ name: `health${prefix}` })
    .get(`${prefix}/health/alive`, () => json({ status: 'ok' }))
    .get(`${prefix}/health/ready`, async () => {
      const problem = await storeReady(ctx)
      if (problem === null) return json({ status: 'ok' })
      ctx.logger.warn('store not ready', { error: problem })
      return json({ errors: { database: 'the database is not reachable' } }, 503)
    })
