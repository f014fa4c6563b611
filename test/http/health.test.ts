import { describe, expect, it } from 'bun:test'
import { startServer, storeFactories } from '../_harness.ts'

for (const factory of storeFactories()) {
  describe(`health and version (${factory.name})`, () => {
    it('answers alive and ready on both APIs', async () => {
      const s = await startServer(factory)
      for (const f of [s.publicFetch, s.adminFetch]) {
        for (const path of ['/health/alive', '/health/ready']) {
          const res = await f(`http://localhost${path}`)
          expect(res.status).toBe(200)
          expect(await res.json()).toEqual({ status: 'ok' })
        }
      }
    })

    it('serves the version through Ory’s SDK, with and without the /admin prefix', async () => {
      const s = await startServer(factory)
      const { data } = await s.hydra.metadata.getVersion()
      expect(data.version).toMatch(/^v\d+\.\d+\.\d+/)
      const bare = await s.adminFetch('http://localhost/version')
      expect(await bare.json()).toEqual({ version: data.version! })
    })

    it('answers ready with 503 once the store is gone', async () => {
      const s = await startServer(factory)
      await s.store.close()
      const res = await s.publicFetch('http://localhost/health/ready')
      expect(res.status).toBe(503)
      expect(await res.json()).toEqual({ errors: { database: 'the database is not reachable' } })
    })
  })
}

describe('error rendering', () => {
  it('renders unknown routes as a JSON 404 with no-store', async () => {
    const s = await startServer(storeFactories()[0]!)
    const res = await s.publicFetch('http://localhost/does-not-exist')
    expect(res.status).toBe(404)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(((await res.json()) as { error: string }).error).toBe('not_found')
  })

  it('echoes a request id and generates one when absent', async () => {
    const s = await startServer(storeFactories()[0]!)
    const given = await s.publicFetch('http://localhost/health/alive', { headers: { 'x-request-id': 'abc-123' } })
    expect(given.headers.get('x-request-id')).toBe('abc-123')
    const generated = await s.publicFetch('http://localhost/health/alive')
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })
})
