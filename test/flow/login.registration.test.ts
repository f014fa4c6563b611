import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import {
  AS,
  authorizeUrl,
  Browser,
  createCodeClient,
  ISSUER,
  locationOf,
  LOGIN_URL,
  responseParams,
  rp,
  startFlowServer,
  storeFactories,
  type TestServer,
} from '../_harness.ts'

const REGISTRATION_URL = 'https://login.test/registration'

/** Where the browser went, and the login challenge it carries. */
function appOf(res: Response): { app: string; challenge: string } {
  const to = locationOf(res)
  return { app: `${to.origin}${to.pathname}`, challenge: to.searchParams.get('login_challenge')! }
}

/** The registration app: reads the login request, then accepts it for a new account; the browser follows. */
async function register(s: TestServer, b: Browser, res: Response, subject: string) {
  const { challenge } = appOf(res)
  const { data: request } = await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: challenge })
  const { data } = await s.hydra.oauth2.acceptOAuth2LoginRequest({ loginChallenge: challenge, acceptOAuth2LoginRequest: { subject } })
  return { request, res: await b.open(data.redirect_to) }
}

for (const factory of storeFactories()) {
  describe(`prompt=registration and prompt=create (${factory.name})`, () => {
    for (const prompt of ['registration', 'create']) {
      it(`sends prompt=${prompt} to urls.registration, whose app sees the prompt and completes the flow`, async () => {
        const s = await startFlowServer(factory, { 'urls.registration': REGISTRATION_URL })
        const client = await createCodeClient(s)
        const b = new Browser(s)
        const first = await b.open(authorizeUrl(client, { prompt }))
        expect(appOf(first).app).toBe(REGISTRATION_URL)
        const { request, res: consent } = await register(s, b, first, 'new-user')
        expect(new URL(request.request_url).searchParams.get('prompt')).toBe(prompt)
        expect(request.skip).toBe(false)

        const challenge = locationOf(consent).searchParams.get('consent_challenge')!
        const { data } = await s.hydra.oauth2.acceptOAuth2ConsentRequest({
          consentChallenge: challenge,
          acceptOAuth2ConsentRequest: { grant_scope: ['openid'] },
        })
        const done = await b.open(data.redirect_to)
        const params = oauth.validateAuthResponse(AS, rp(s, client), locationOf(done), 'state-0123456789')
        expect(params.get('code')).toBeTruthy()

        // Without prompt, the same server sends the browser to the login app.
        expect(appOf(await b.open(authorizeUrl(client))).app).toBe(LOGIN_URL)
      })
    }

    it('sends prompt=create to the login app when urls.registration is not set, as Hydra does', async () => {
      const s = await startFlowServer(factory)
      const client = await createCodeClient(s)
      const res = await new Browser(s).open(authorizeUrl(client, { prompt: 'create consent' }))
      expect(appOf(res).app).toBe(LOGIN_URL)
      const { data } = await s.hydra.oauth2.getOAuth2LoginRequest({ loginChallenge: appOf(res).challenge })
      expect(new URL(data.request_url).searchParams.get('prompt')).toBe('create consent')
    })

    it('refuses prompt=create together with none, and advertises every prompt value it accepts', async () => {
      const s = await startFlowServer(factory, { 'urls.registration': REGISTRATION_URL })
      const client = await createCodeClient(s)
      const got = responseParams(await new Browser(s).open(authorizeUrl(client, { prompt: 'none create' })))
      expect(got.get('error')).toBe('invalid_request')
      const doc = (await (await s.publicFetch('http://localhost/.well-known/openid-configuration')).json()) as Record<string, unknown>
      expect(doc.prompt_values_supported).toEqual(['none', 'login', 'consent', 'select_account', 'registration', 'create'])
      expect(doc.issuer).toBe(ISSUER)
    })
  })
}
