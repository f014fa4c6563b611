import { describe, expect, it } from 'bun:test'
import { admin, createClient, expectError, startServer, storeFactories } from '../_harness.ts'

/** Parses `<url>; rel="x"` entries of a Link header. */
function links(header: string | null): Record<string, URL> {
  const out: Record<string, URL> = {}
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*<([^>]+)>;\s*rel="([^"]+)"\s*$/.exec(part)
    if (m) out[m[2]!] = new URL(m[1]!, 'http://localhost')
  }
  return out
}

for (const factory of storeFactories()) {
  describe(`admin client listing (${factory.name})`, () => {
    it('pages through every client with page_size, page_token and Link headers', async () => {
      const s = await startServer(factory)
      const ids = ['c1', 'c2', 'c3', 'c4', 'c5']
      for (const id of ids.toReversed()) await createClient(s, { client_id: id }, { raw: true })
      const seen: string[] = []
      let path: string | undefined = '/admin/clients?page_size=2'
      let pages = 0
      while (path) {
        const res = await admin(s, 'GET', path)
        expect(res.status).toBe(200)
        const body = (await res.json()) as { client_id: string; client_secret?: string }[]
        expect(body.length).toBeLessThanOrEqual(2)
        for (const c of body) expect(c.client_secret).toBeUndefined()
        seen.push(...body.map((c) => c.client_id))
        const rel = links(res.headers.get('link'))
        expect(rel.first?.pathname).toBe('/admin/clients')
        expect(rel.first?.searchParams.get('page_size')).toBe('2')
        expect(rel.first?.searchParams.has('page_token')).toBe(false)
        path = rel.next ? `${rel.next.pathname}${rel.next.search}` : undefined
        pages++
      }
      expect(seen).toEqual(ids)
      expect(pages).toBe(3)
    })

    it('lists through Ory’s SDK with the default page size and filters by client_name and owner', async () => {
      const s = await startServer(factory)
      await createClient(s, { client_id: 'a', client_name: 'web', owner: 'alice' }, { raw: true })
      await createClient(s, { client_id: 'b', client_name: 'web', owner: 'bob' }, { raw: true })
      await createClient(s, { client_id: 'c', client_name: 'cli', owner: 'alice' }, { raw: true })
      const all = await s.hydra.oauth2.listOAuth2Clients()
      expect(all.data.map((c) => c.client_id)).toEqual(['a', 'b', 'c'])
      expect(all.headers.link).toBe('</admin/clients?page_size=250>; rel="first"')
      const web = await s.hydra.oauth2.listOAuth2Clients({ clientName: 'web' })
      expect(web.data.map((c) => c.client_id)).toEqual(['a', 'b'])
      const alice = await s.hydra.oauth2.listOAuth2Clients({ owner: 'alice' })
      expect(alice.data.map((c) => c.client_id)).toEqual(['a', 'c'])
      const both = await s.hydra.oauth2.listOAuth2Clients({ owner: 'alice', clientName: 'web', pageSize: 1 })
      expect(both.data.map((c) => c.client_id)).toEqual(['a'])
      expect(links(both.headers.link).first?.searchParams.get('owner')).toBe('alice')
      expect(links(both.headers.link).next).toBeUndefined()
      const filteredPage = await admin(s, 'GET', '/admin/clients?owner=alice&page_size=1')
      const next = links(filteredPage.headers.get('link')).next!
      expect(next.searchParams.get('owner')).toBe('alice')
      const second = (await (await admin(s, 'GET', `${next.pathname}${next.search}`)).json()) as { client_id: string }[]
      expect(second.map((c) => c.client_id)).toEqual(['c'])
    })

    it('rejects bad page sizes, forged page tokens and repeated parameters', async () => {
      const s = await startServer(factory)
      await createClient(s, { client_id: 'x' }, { raw: true })
      for (const q of ['page_size=0', 'page_size=1001', 'page_size=abc', 'page_size=-1', 'page_size=1.5']) {
        await expectError(await admin(s, 'GET', `/admin/clients?${q}`), 400, 'invalid_request', /page_size/)
      }
      for (const token of ['x', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'x'.repeat(500)]) {
        await expectError(await admin(s, 'GET', `/admin/clients?page_token=${token}`), 400, 'invalid_request', /page_token/)
      }
      await expectError(await admin(s, 'GET', '/admin/clients?page_size=1&page_size=2'), 400, 'invalid_request', /once/)
      const ok = await admin(s, 'GET', '/admin/clients?page_size=1000')
      expect(ok.status).toBe(200)
    })
  })
}
