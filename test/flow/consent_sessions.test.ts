import { describe, expect, it } from 'bun:test'
import {
  Browser,
  createLogoutClient,
  expectError,
  REDIRECT_URI,
  signIn,
  startLogoutServer,
  storeFactories,
  type LogoutServer,
} from '../_harness.ts'

const CONSENT = 'http://localhost/admin/oauth2/auth/sessions/consent'

/** Parses `<url>; rel="x"` entries of a Link header. */
function links(header: string | null | undefined): Record<string, URL> {
  const out: Record<string, URL> = {}
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*<([^>]+)>;\s*rel="([^"]+)"\s*$/.exec(part)
    if (m) out[m[2]!] = new URL(m[1]!, 'http://localhost')
  }
  return out
}

async function introspect(s: LogoutServer, token: string): Promise<boolean> {
  const res = await s.adminFetch('http://localhost/admin/oauth2/introspect', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  })
  return ((await res.json()) as { active: boolean }).active
}

async function refresh(s: LogoutServer, client: { client_id: string; client_secret?: string }, token: string): Promise<Response> {
  return s.publicFetch('http://localhost/oauth2/token', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}`,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
  })
}

for (const factory of storeFactories()) {
  describe(`consent sessions admin API (${factory.name})`, () => {
    async function twoClients() {
      const s = await startLogoutServer(factory)
      const a = await createLogoutClient(s, { client_name: 'A' })
      const b = await createLogoutClient(s, { client_name: 'B' })
      const browser = new Browser(s)
      const inA = await signIn(s, browser, a, { consent: { remember: true, remember_for: 3600, session: { id_token: { email: 'a@x.test' } } } })
      s.clock.advance(1000)
      const inB = await signIn(s, browser, b)
      return { s, a, b, browser, inA, inB }
    }

    it('lists a subject’s consent sessions, newest first, in Hydra’s shape', async () => {
      const { s, a, b, inA } = await twoClients()
      const { data, headers } = await s.hydra.oauth2.listOAuth2ConsentSessions({ subject: 'alice' })
      expect(data.map((c) => c.consent_request?.client?.client_id)).toEqual([b.client_id, a.client_id])
      const first = data[1]!
      expect(first).toMatchObject({
        grant_scope: ['openid', 'offline_access'],
        grant_access_token_audience: [],
        remember: true,
        remember_for: 3600,
        session: { id_token: { email: 'a@x.test' }, access_token: {} },
        handled_at: new Date(s.clock() - 1000).toISOString(),
      })
      expect(first.consent_request).toMatchObject({
        consent_request_id: first.consent_request_id,
        subject: 'alice',
        login_session_id: inA.sid,
        requested_scope: ['openid', 'offline_access'],
        skip: false,
      })
      expect(first.consent_request?.request_url).toContain(encodeURIComponent(REDIRECT_URI))
      expect(first.consent_request?.client).not.toHaveProperty('client_secret')
      expect(links(headers.link).first?.searchParams.get('subject')).toBe('alice')
      expect(links(headers.link).next).toBeUndefined()
      expect((await s.hydra.oauth2.listOAuth2ConsentSessions({ subject: 'nobody' })).data).toEqual([])
    })

    it('leaves out reused (skipped) consents and filters by login session', async () => {
      const { s, a, b, browser, inA } = await twoClients()
      // A's consent was remembered: this one reuses it.
      await signIn(s, browser, a)
      const other = new Browser(s)
      const inOther = await signIn(s, other, b)
      expect(inOther.sid).not.toBe(inA.sid)
      expect((await s.store.flows.listFlows('alice')).length).toBe(4)
      const { data: all } = await s.hydra.oauth2.listOAuth2ConsentSessions({ subject: 'alice' })
      expect(all.length).toBe(3)
      expect(all.every((c) => c.consent_request?.skip === false)).toBe(true)
      const { data: one } = await s.hydra.oauth2.listOAuth2ConsentSessions({ subject: 'alice', loginSessionId: inOther.sid })
      expect(one.map((c) => c.consent_request?.login_session_id)).toEqual([inOther.sid])
    })

    it('stops listing a time-limited remembered consent once it expires', async () => {
      const { s, b } = await twoClients()
      s.clock.advance(3600 * 1000)
      const { data } = await s.hydra.oauth2.listOAuth2ConsentSessions({ subject: 'alice' })
      expect(data.map((c) => c.consent_request?.client?.client_id)).toEqual([b.client_id])
    })

    it('pages with page_size, page_token and Link headers', async () => {
      const { s, b, browser } = await twoClients()
      s.clock.advance(1000)
      await signIn(s, browser, await createLogoutClient(s))
      s.clock.advance(1000)
      await signIn(s, browser, b)
      const all = (await s.hydra.oauth2.listOAuth2ConsentSessions({ subject: 'alice' })).data.map((c) => c.consent_request_id)
      expect(all.length).toBe(4)
      const seen: (string | undefined)[] = []
      let path: string | undefined = `${CONSENT}?subject=alice&page_size=3`
      while (path) {
        const res = await s.adminFetch(path)
        expect(res.status).toBe(200)
        const page = (await res.json()) as { consent_request_id: string }[]
        seen.push(...page.map((c) => c.consent_request_id))
        const rel = links(res.headers.get('link'))
        expect(rel.first?.searchParams.get('page_size')).toBe('3')
        path = rel.next ? `http://localhost${rel.next.pathname}${rel.next.search}` : undefined
      }
      expect(seen).toEqual(all)
    })

    it('refuses a missing subject, a bad page size and a forged page token', async () => {
      const { s } = await twoClients()
      await expectError(await s.adminFetch(CONSENT), 400, 'invalid_request')
      await expectError(await s.adminFetch(`${CONSENT}?subject=`), 400, 'invalid_request')
      await expectError(await s.adminFetch(`${CONSENT}?subject=alice&page_size=0`), 400, 'invalid_request')
      await expectError(await s.adminFetch(`${CONSENT}?subject=alice&page_token=forged`), 400, 'invalid_request')
    })

    it('revokes one client’s consent and every token issued under it', async () => {
      const { s, a, b, inA, inB } = await twoClients()
      const res = await s.hydra.oauth2.revokeOAuth2ConsentSessions({ subject: 'alice', client: a.client_id })
      expect(res.status).toBe(204)
      const { data } = await s.hydra.oauth2.listOAuth2ConsentSessions({ subject: 'alice' })
      expect(data.map((c) => c.consent_request?.client?.client_id)).toEqual([b.client_id])
      expect(await introspect(s, inA.accessToken)).toBe(false)
      expect(await introspect(s, inA.refreshToken!)).toBe(false)
      await expectError(await refresh(s, a, inA.refreshToken!), 400, 'invalid_grant')
      expect(await introspect(s, inB.accessToken)).toBe(true)
      expect((await refresh(s, b, inB.refreshToken!)).status).toBe(200)
    })

    it('revokes all of a subject’s consents, or one by consent_request_id', async () => {
      const { s, inA, inB } = await twoClients()
      const { data } = await s.hydra.oauth2.listOAuth2ConsentSessions({ subject: 'alice' })
      await s.hydra.oauth2.revokeOAuth2ConsentSessions({ consentRequestId: data[0]!.consent_request_id! })
      expect(await introspect(s, inB.accessToken)).toBe(false)
      expect(await introspect(s, inA.accessToken)).toBe(true)
      await s.hydra.oauth2.revokeOAuth2ConsentSessions({ subject: 'alice', all: true })
      expect((await s.hydra.oauth2.listOAuth2ConsentSessions({ subject: 'alice' })).data).toEqual([])
      expect(await introspect(s, inA.accessToken)).toBe(false)
    })

    it('refuses revocations that do not say what to revoke', async () => {
      const { s, a, inA } = await twoClients()
      const del = (query: string) => s.adminFetch(`${CONSENT}${query}`, { method: 'DELETE' })
      await expectError(await del(''), 400, 'invalid_request')
      await expectError(await del(`?client=${a.client_id}`), 400, 'invalid_request')
      await expectError(await del('?subject=alice'), 400, 'invalid_request')
      await expectError(await del('?subject=alice&all=yes'), 400, 'invalid_request')
      await expectError(await del('?subject=alice&consent_request_id=x'), 400, 'invalid_request')
      await expectError(await del('?subject=alice&all=true&subject=bob'), 400, 'invalid_request')
      expect(await introspect(s, inA.accessToken)).toBe(true)
    })
  })
}
