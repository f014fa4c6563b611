import { describe, expect, it } from 'bun:test'
import { definePlugin, OAuthError, type ConsentContext, type ConsentDecision } from 'gatehouse/plugin'
import {
  acceptLogin,
  acceptUserCode,
  authorizeUrl,
  Browser,
  challengeOf,
  CONSENT_URL,
  createCodeClient,
  createDeviceClient,
  DEVICE_VERIFICATION_URL,
  locationOf,
  LOGIN_URL,
  memoryLogger,
  REDIRECT_URI,
  requestDeviceCodes,
  responseParams,
  runFlow,
  startServer,
  storeFactories,
} from '../_harness.ts'
import { never } from './_plugins.ts'

const seen: ConsentContext[] = []
let verdicts: ((c: ConsentContext) => unknown)[] = []

/** Two policies whose verdicts each test sets (the second sees what the first narrowed). */
const policies = definePlugin({
  name: 'policies',
  version: '1.0.0',
  setup(api) {
    for (const name of ['first', 'second']) {
      api.consentPolicy({
        name,
        check: (c) => {
          seen.push(c)
          return verdicts[name === 'first' ? 0 : 1]?.(c) as ConsentDecision | undefined
        },
      })
    }
  },
})

for (const factory of storeFactories()) {
  describe(`consent policies (${factory.name})`, () => {
    async function setup(plugins: unknown[] = ['policies'], timeout?: string) {
      const { logger, entries } = memoryLogger()
      const entry = timeout ? [{ name: 'policies', timeout }] : plugins
      const s = await startServer(factory, { 'urls.login': LOGIN_URL, 'urls.consent': CONSENT_URL, plugins: entry }, { logger, plugins: { catalog: [policies] } })
      const client = await createCodeClient(s, { audience: ['https://api.test'], metadata: { first_party: true } })
      return { s, client, logs: entries, b: new Browser(s) }
    }

    /** Login accepted; the response that follows (consent app redirect, or back to /oauth2/auth, or the client). */
    async function afterLogin(x: Awaited<ReturnType<typeof setup>>, params: Record<string, string> = {}) {
      return acceptLogin(x.s, x.b, await x.b.open(authorizeUrl(x.client, { scope: 'openid email profile', ...params })))
    }

    it('skip: consents without the consent app, granting what the policy says, and a code follows', async () => {
      verdicts = [() => ({ action: 'skip', grantScope: ['openid', 'email'], session: { idToken: { via: 'policy' } }, reason: 'trusted' }), () => ({ action: 'deny' })]
      const x = await setup()
      const back = await afterLogin(x)
      const location = locationOf(back)
      expect(`${location.origin}${location.pathname}`).toBe('https://gatehouse.test/oauth2/auth')
      expect(location.searchParams.get('consent_verifier')).toBeTruthy()
      const code = responseParams(await x.b.open(location.href)).get('code')
      expect(code).toMatch(/^ory_ac_/)
      const [flow] = await x.s.store.flows.listFlows('alice', x.client.client_id)
      expect(flow!.granted_scope).toEqual(['openid', 'email'])
      expect(seen.at(-1)).toMatchObject({ subject: 'alice', requestedScope: ['openid', 'email', 'profile'], previouslyConsented: false })
      expect(x.logs.some((l) => l.msg === 'consent policy decision' && l.plugin === 'policies' && l.policy === 'first' && l.action === 'skip' && l.reason === 'trusted')).toBe(true)
    })

    it('skip answers prompt=none without a previous consent', async () => {
      verdicts = []
      const x = await setup()
      await runFlow(x.s, x.b, authorizeUrl(x.client), { login: { remember: true } })
      const refused = locationOf(await afterLogin(x, { prompt: 'none' }))
      expect(refused.searchParams.get('error')).toBe('consent_required')
      verdicts = [() => ({ action: 'skip' })]
      const back = await afterLogin(x, { prompt: 'none' })
      expect(responseParams(await x.b.open(locationOf(back).href)).get('code')).toMatch(/^ory_ac_/)
    })

    it('skip does not consent to a device for the user: the consent app is asked, with the decision, and narrow applies', async () => {
      verdicts = [() => ({ action: 'narrow', scope: ['openid'] }), () => ({ action: 'skip', reason: 'trusted' })]
      const s = await startServer(
        factory,
        { 'urls.login': LOGIN_URL, 'urls.consent': CONSENT_URL, 'urls.device.verification': DEVICE_VERIFICATION_URL, plugins: ['policies'] },
        { plugins: { catalog: [policies] } },
      )
      const client = await createDeviceClient(s)
      const codes = await requestDeviceCodes(s, client, { scope: 'openid profile' })
      const b = new Browser(s)
      const consent = await acceptLogin(s, b, await acceptUserCode(s, b, await b.open(codes.verification_uri_complete!), codes.user_code))
      const { data } = await s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challengeOf(consent, 'consent') })
      expect(data).toMatchObject({ skip: false, requested_scope: ['openid'] })
      expect((data as { policy_decisions?: unknown }).policy_decisions).toEqual([
        { plugin: 'policies', policy: 'first', action: 'narrow' },
        { plugin: 'policies', policy: 'second', action: 'skip', reason: 'trusted' },
      ])
    })

    it('narrow: later policies and the consent app see the narrowed request and the decisions', async () => {
      verdicts = [() => ({ action: 'narrow', scope: ['openid', 'email'], reason: 'no profile for partners' }), () => undefined]
      const x = await setup()
      const consent = await afterLogin(x)
      expect(seen.at(-1)!.requestedScope).toEqual(['openid', 'email'])
      const res = await x.s.adminFetch(`http://localhost/admin/oauth2/auth/requests/consent?consent_challenge=${challengeOf(consent, 'consent')}`)
      const body = (await res.json()) as Record<string, unknown>
      expect(body.requested_scope).toEqual(['openid', 'email'])
      expect(body.policy_decisions).toEqual([{ plugin: 'policies', policy: 'first', action: 'narrow', reason: 'no profile for partners' }])
    })

    it('prompt: asks the consent app even when a remembered consent covers the request', async () => {
      verdicts = []
      const x = await setup()
      await runFlow(x.s, x.b, authorizeUrl(x.client), { login: { remember: true }, consent: { remember: true } })
      const skipped = await acceptLogin(x.s, x.b, await x.b.open(authorizeUrl(x.client)))
      const { data: before } = await x.s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challengeOf(skipped, 'consent') })
      expect(before.skip).toBe(true)
      verdicts = [() => ({ action: 'prompt', reason: 'step-up' })]
      const asked = await acceptLogin(x.s, x.b, await x.b.open(authorizeUrl(x.client)))
      const { data } = await x.s.hydra.oauth2.getOAuth2ConsentRequest({ consentChallenge: challengeOf(asked, 'consent') })
      expect(data.skip).toBe(false)
    })

    const denials: [string, (c: ConsentContext) => unknown, string, string?][] = [
      ['deny', () => ({ action: 'deny', reason: 'Partners may not sign in here.' }), 'access_denied', 'Partners may not sign in here.'],
      ['deny with an OAuth error', () => ({ action: 'deny', error: new OAuthError('interaction_required', 400, 'Step-up needed.') }), 'interaction_required', 'Step-up needed.'],
      ['a thrown OAuthError', () => { throw new OAuthError('consent_required', 400, 'Ask first.') }, 'consent_required', 'Ask first.'],
      ['a policy that throws', () => { throw new Error('boom') }, 'server_error'],
      ['a verdict of the wrong shape', () => ({ action: 'allow' }), 'server_error'],
      ['a skip granting more than requested', () => ({ action: 'skip', grantScope: ['admin'] }), 'server_error'],
      ['a skip with a reserved ID-token claim', () => ({ action: 'skip', session: { idToken: { sub: 'mallory' } } }), 'server_error'],
    ]
    for (const [what, verdict, error, description] of denials) {
      it(`sends ${error} to the client's redirect URI for ${what}, and stores no flow`, async () => {
        verdicts = [verdict]
        const x = await setup()
        const res = await afterLogin(x)
        const location = locationOf(res)
        expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI)
        expect(location.searchParams.get('error')).toBe(error)
        if (description) expect(location.searchParams.get('error_description')).toContain(description)
        expect(await x.s.store.flows.listFlows('alice', x.client.client_id)).toEqual([])
        if (error === 'server_error') expect(x.logs.some((l) => l.msg === 'plugin failed' && l.plugin === 'policies')).toBe(true)
      })
    }

    it('contains a policy that hangs past its timeout with server_error', async () => {
      verdicts = [() => never()]
      const x = await setup([], '5ms')
      const location = locationOf(await afterLogin(x))
      expect(location.searchParams.get('error')).toBe('server_error')
    })

    describe('first-party-consent plugin', () => {
      it('skips consent for clients marked first-party in their metadata, but not for others or prompt=consent', async () => {
        const x = await setup([{ name: 'first-party-consent', options: { remember: true, remember_for: 3600 } }])
        const back = await afterLogin(x)
        expect(responseParams(await x.b.open(locationOf(back).href)).get('code')).toMatch(/^ory_ac_/)
        const [flow] = await x.s.store.flows.listFlows('alice', x.client.client_id)
        expect({ remember: flow!.remember, remember_for: flow!.remember_for, scope: flow!.granted_scope }).toEqual({
          remember: true,
          remember_for: 3600,
          scope: ['openid', 'email', 'profile'],
        })

        const prompted = await afterLogin(x, { prompt: 'consent' })
        expect(challengeOf(prompted, 'consent')).toBeTruthy()

        const thirdParty = await createCodeClient(x.s, { metadata: { first_party: 'yes' } })
        const b = new Browser(x.s)
        const consent = await acceptLogin(x.s, b, await b.open(authorizeUrl(thirdParty)))
        expect(challengeOf(consent, 'consent')).toBeTruthy()
      })

      it('reads the marker from the configured metadata key', async () => {
        const x = await setup([{ name: 'first-party-consent', options: { metadata_key: 'internal' } }])
        expect(challengeOf(await afterLogin(x), 'consent')).toBeTruthy()
        const internal = await createCodeClient(x.s, { metadata: { internal: true } })
        const b = new Browser(x.s)
        const back = await acceptLogin(x.s, b, await b.open(authorizeUrl(internal)))
        expect(responseParams(await b.open(locationOf(back).href)).get('code')).toMatch(/^ory_ac_/)
      })
    })
  })
}
