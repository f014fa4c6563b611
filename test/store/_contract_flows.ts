import { describe, expect, it } from 'bun:test'
import { AWKWARD, HOUR, LONG, T0, expectStoreError, flowRow, sessionRow, type ContractContext } from './_contract_rows.ts'

export function flowsContract(ctx: ContractContext) {
  describe('login sessions', () => {
    it('inserts, reads back and replaces a session', async () => {
      const s = ctx.store()
      const first = sessionRow('ls-1')
      await s.flows.upsertLoginSession(first)
      expect(await s.flows.getLoginSession('ls-1')).toEqual(first)
      const second = sessionRow('ls-1', {
        subject: 'bob',
        authenticated_at: T0 + 5,
        remember: false,
        identity_provider_session_id: '',
        expires_at: T0 + HOUR,
      })
      await s.flows.upsertLoginSession(second)
      expect(await s.flows.getLoginSession('ls-1')).toEqual(second)
      expect(await s.flows.getLoginSession('ls-2')).toBeNull()
    })

    it('deletes a session once', async () => {
      const s = ctx.store()
      await s.flows.upsertLoginSession(sessionRow('ls-1'))
      expect(await s.flows.deleteLoginSession('ls-1')).toBe(true)
      expect(await s.flows.deleteLoginSession('ls-1')).toBe(false)
      expect(await s.flows.getLoginSession('ls-1')).toBeNull()
    })

    it('deletes every session of a subject and returns their ids', async () => {
      const s = ctx.store()
      await s.flows.upsertLoginSession(sessionRow('a-1', { subject: 'alice' }))
      await s.flows.upsertLoginSession(sessionRow('a-2', { subject: 'alice' }))
      await s.flows.upsertLoginSession(sessionRow('b-1', { subject: 'bob' }))
      expect((await s.flows.deleteLoginSessionsBySubject('alice')).sort()).toEqual(['a-1', 'a-2'])
      expect(await s.flows.deleteLoginSessionsBySubject('alice')).toEqual([])
      expect(await s.flows.getLoginSession('b-1')).not.toBeNull()
    })
  })

  describe('flows', () => {
    it('inserts and reads back every field', async () => {
      const s = ctx.store()
      const full = flowRow('f-1')
      const bare = flowRow('f-2', { login_session_id: null, expires_at: null, remember: false, remember_for: 0, granted_audience: ['x'] })
      await s.flows.insertFlow(full)
      await s.flows.insertFlow(bare)
      expect(await s.flows.getFlow('f-1')).toEqual(full)
      expect(await s.flows.getFlow('f-2')).toEqual(bare)
      expect(await s.flows.getFlow('f-3')).toBeNull()
    })

    it('stores a flow once: a second insert is a conflict and changes nothing', async () => {
      const s = ctx.store()
      await s.flows.insertFlow(flowRow('f-1'))
      await expectStoreError(s.flows.insertFlow(flowRow('f-1', { subject: 'mallory' })), 'conflict')
      expect((await s.flows.getFlow('f-1'))?.subject).toBe('alice')
    })

    it('lists the flows of a subject newest first, optionally of one client', async () => {
      const s = ctx.store()
      await s.flows.insertFlow(flowRow('old', { client_id: 'c1', handled_at: T0 }))
      await s.flows.insertFlow(flowRow('new', { client_id: 'c2', handled_at: T0 + 2000 }))
      await s.flows.insertFlow(flowRow('mid', { client_id: 'c1', handled_at: T0 + 1000 }))
      await s.flows.insertFlow(flowRow('bobs', { subject: 'bob', handled_at: T0 + 5000 }))
      expect((await s.flows.listFlows('alice')).map((f) => f.id)).toEqual(['new', 'mid', 'old'])
      expect((await s.flows.listFlows('alice', 'c1')).map((f) => f.id)).toEqual(['mid', 'old'])
      expect(await s.flows.listFlows('alice', 'c9')).toEqual([])
      expect(await s.flows.listFlows('carol')).toEqual([])
    })

    it('lists only the remembered flows of a subject and client, newest first, however many were not remembered', async () => {
      const s = ctx.store()
      for (let i = 0; i < 30; i++) await s.flows.insertFlow(flowRow(`plain-${i}`, { client_id: 'c1', remember: false, handled_at: T0 + i }))
      await s.flows.insertFlow(flowRow('kept-old', { client_id: 'c1', remember: true, handled_at: T0 }))
      await s.flows.insertFlow(flowRow('kept-new', { client_id: 'c1', remember: true, handled_at: T0 + 100 }))
      await s.flows.insertFlow(flowRow('other-client', { client_id: 'c2', remember: true }))
      await s.flows.insertFlow(flowRow('other-subject', { subject: 'bob', client_id: 'c1', remember: true }))
      expect((await s.flows.listRememberedFlows('alice', 'c1')).map((f) => f.id)).toEqual(['kept-new', 'kept-old'])
      expect((await s.flows.listRememberedFlows('alice', 'c1')).every((f) => f.remember)).toBe(true)
      expect(await s.flows.listRememberedFlows('alice', 'c9')).toEqual([])
      expect((await s.flows.listFlows('alice', 'c1')).length).toBe(32)
    })

    it('deletes the flows of a subject and client, then of a subject', async () => {
      const s = ctx.store()
      await s.flows.insertFlow(flowRow('a1', { client_id: 'c1' }))
      await s.flows.insertFlow(flowRow('a2', { client_id: 'c2' }))
      await s.flows.insertFlow(flowRow('a3', { client_id: 'c2' }))
      await s.flows.insertFlow(flowRow('b1', { subject: 'bob', client_id: 'c2' }))
      expect((await s.flows.deleteFlows('alice', 'c2')).sort()).toEqual(['a2', 'a3'])
      expect((await s.flows.listFlows('alice')).map((f) => f.id)).toEqual(['a1'])
      expect(await s.flows.deleteFlows('alice')).toEqual(['a1'])
      expect(await s.flows.deleteFlows('alice')).toEqual([])
      expect(await s.flows.getFlow('b1')).not.toBeNull()
    })

    it('deletes expired flows and sessions, never flows without expiry', async () => {
      const s = ctx.store()
      await s.flows.insertFlow(flowRow('expired', { expires_at: T0 - 1 }))
      await s.flows.insertFlow(flowRow('edge', { expires_at: T0 }))
      await s.flows.insertFlow(flowRow('forever', { expires_at: null }))
      await s.flows.upsertLoginSession(sessionRow('ls-old', { expires_at: T0 - 1 }))
      await s.flows.upsertLoginSession(sessionRow('ls-live', { expires_at: T0 + 1 }))
      expect(await s.flows.deleteExpired(T0, 100)).toBe(2)
      expect(await s.flows.getFlow('expired')).toBeNull()
      expect(await s.flows.getFlow('edge')).not.toBeNull()
      expect(await s.flows.getFlow('forever')).not.toBeNull()
      expect(await s.flows.getLoginSession('ls-old')).toBeNull()
      expect(await s.flows.getLoginSession('ls-live')).not.toBeNull()
      expect(await s.flows.deleteExpired(T0, 100)).toBe(0)
    })

    it('lists the flows of a login session newest first', async () => {
      const s = ctx.store()
      await s.flows.insertFlow(flowRow('old', { login_session_id: 'sid', handled_at: T0 }))
      await s.flows.insertFlow(flowRow('new', { login_session_id: 'sid', handled_at: T0 + 2000, client_id: 'c2' }))
      await s.flows.insertFlow(flowRow('other', { login_session_id: 'sid-2', handled_at: T0 + 1000 }))
      await s.flows.insertFlow(flowRow('none', { login_session_id: null }))
      expect((await s.flows.listFlowsByLoginSession('sid')).map((f) => f.id)).toEqual(['new', 'old'])
      expect(await s.flows.listFlowsByLoginSession('sid-3')).toEqual([])
    })

    it('deletes one flow, once', async () => {
      const s = ctx.store()
      await s.flows.insertFlow(flowRow('f-1'))
      await s.flows.insertFlow(flowRow('f-2'))
      expect(await s.flows.deleteFlow('f-1')).toBe(true)
      expect(await s.flows.deleteFlow('f-1')).toBe(false)
      expect(await s.flows.getFlow('f-1')).toBeNull()
      expect(await s.flows.getFlow('f-2')).not.toBeNull()
    })

    it('round-trips unicode, quotes and very long strings', async () => {
      const s = ctx.store()
      const session = sessionRow(`ls ${AWKWARD}`, { subject: AWKWARD, identity_provider_session_id: LONG })
      const flow = flowRow(`flow ${AWKWARD}`, {
        client_id: AWKWARD,
        subject: AWKWARD,
        login_session_id: session.id,
        granted_scope: [AWKWARD],
        granted_audience: [AWKWARD],
        data: { [AWKWARD]: { context: LONG, list: [AWKWARD, 1.5, false] } },
      })
      await s.flows.upsertLoginSession(session)
      await s.flows.insertFlow(flow)
      expect(await s.flows.getLoginSession(session.id)).toEqual(session)
      expect(await s.flows.getFlow(flow.id)).toEqual(flow)
      expect(await s.flows.listFlows(AWKWARD, AWKWARD)).toEqual([flow])
      expect(await s.flows.deleteLoginSessionsBySubject(AWKWARD)).toEqual([session.id])
    })
  })

  describe('handled challenges', () => {
    it('records a challenge once and returns its redirect', async () => {
      const s = ctx.store()
      expect(await s.flows.getHandled('ch-1')).toBeNull()
      expect(await s.flows.markHandled('ch-1', 'sealed-redirect-1', T0 + HOUR)).toBe(true)
      expect(await s.flows.markHandled('ch-1', 'sealed-redirect-2', T0 + HOUR)).toBe(false)
      expect(await s.flows.getHandled('ch-1')).toBe('sealed-redirect-1')
      expect(await s.flows.getHandled('ch-2')).toBeNull()
    })

    it('lets exactly one of many connections mark a challenge handled', async () => {
      const stores = await ctx.shared(4)
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % 4]!.flows.markHandled('ch', `redirect-${i}`, T0 + HOUR)),
      )
      expect(results.filter(Boolean).length).toBe(1)
      expect(await stores[1]!.flows.getHandled('ch')).toBe(`redirect-${results.indexOf(true)}`)
    })

    it('deletes expired challenges with the other expired flow rows', async () => {
      const s = ctx.store()
      await s.flows.markHandled('old', 'r', T0 - 1)
      await s.flows.markHandled('live', 'r', T0 + 1)
      await s.flows.markHandled(AWKWARD, LONG, T0 + 1)
      expect(await s.flows.deleteExpired(T0, 100)).toBe(1)
      expect(await s.flows.getHandled('old')).toBeNull()
      expect(await s.flows.getHandled('live')).toBe('r')
      expect(await s.flows.getHandled(AWKWARD)).toBe(LONG)
    })
  })

  describe('jti', () => {
    it('remembers a value and reports a replay until it expires', async () => {
      const s = ctx.store()
      expect(await s.jti.remember('jti-1', T0 + 1000, T0)).toBe(true)
      expect(await s.jti.remember('jti-1', T0 + 5000, T0 + 500)).toBe(false)
      expect(await s.jti.remember('jti-1', T0 + 5000, T0 + 1000)).toBe(false)
      expect(await s.jti.remember('jti-2', T0 + 1000, T0)).toBe(true)
    })

    it('lets an expired value be used again, with its new expiry', async () => {
      const s = ctx.store()
      expect(await s.jti.remember('jti', T0 + 1000, T0)).toBe(true)
      expect(await s.jti.remember('jti', T0 + 9000, T0 + 1001)).toBe(true)
      expect(await s.jti.remember('jti', T0 + 9999, T0 + 5000)).toBe(false)
      expect(await s.jti.remember('jti', T0 + 9999, T0 + 9001)).toBe(true)
    })

    it('deletes only expired values', async () => {
      const s = ctx.store()
      await s.jti.remember('old', T0 - 1, T0 - 10)
      await s.jti.remember('edge', T0, T0 - 10)
      await s.jti.remember('live', T0 + 1000, T0 - 10)
      expect(await s.jti.deleteExpired(T0, 100)).toBe(1)
      expect(await s.jti.deleteExpired(T0, 100)).toBe(0)
      expect(await s.jti.remember('edge', T0 + 1000, T0)).toBe(false)
      expect(await s.jti.remember('live', T0 + 1000, T0)).toBe(false)
    })

    it('round-trips unicode, quotes and long values', async () => {
      const s = ctx.store()
      const long = LONG.slice(0, 600)
      expect(await s.jti.remember(AWKWARD, T0 + 1000, T0)).toBe(true)
      expect(await s.jti.remember(long, T0 + 1000, T0)).toBe(true)
      expect(await s.jti.remember(AWKWARD, T0 + 1000, T0)).toBe(false)
      expect(await s.jti.remember(long, T0 + 1000, T0)).toBe(false)
    })
  })
}
