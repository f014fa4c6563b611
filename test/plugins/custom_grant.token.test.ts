import { describe, expect, it } from 'bun:test'
import { definePlugin, InvalidGrant, Type, type GrantRequest } from 'gatehouse/plugin'
import { createClient, errorOf, introspect, startServer, storeFactories } from '../_harness.ts'
import { never, startWithPlugins, token, tokenCounts } from './_plugins.ts'

const MAGIC = 'urn:example:grant-type:magic-link'
const requests: GrantRequest[] = []

const magicLink = definePlugin({
  name: 'magic-link',
  version: '1.0.0',
  options: Type.Object({ lifetime: Type.Integer({ default: 600 }) }),
  setup(api) {
    api.grant({
      grantType: MAGIC,
      params: ['link', 'scope'],
      clientAuth: 'required',
      async handle(req) {
        requests.push(req)
        const link = req.params.get('link')
        const scope = (req.params.get('scope') ?? '').split(' ').filter(Boolean)
        if (link === 'expired') throw InvalidGrant.with({ hint: 'The link has expired.' })
        if (link === 'undecided') return undefined as never
        if (link === 'no-subject') return { subject: '', scope }
        if (link === 'hang') return never()
        return {
          subject: 'user-1',
          scope,
          audience: req.params.has('scope') ? [] : ['https://api.test'],
          accessTokenClaims: { via: 'magic-link' },
          refreshToken: true,
          expiresIn: api.options.lifetime,
          response: { issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', access_token: 'forged' },
        }
      },
    })
  },
})

const pin = definePlugin({
  name: 'pin',
  version: '1.0.0',
  setup(api) {
    api.grant({
      grantType: 'pin',
      params: ['pin', 'for'],
      clientAuth: 'optional',
      handle: (req) => {
        requests.push(req)
        return { subject: `pin-${req.params.get('pin')}`, ...(req.params.has('for') ? { clientId: req.params.get('for')! } : {}) }
      },
    })
  },
})

for (const factory of storeFactories()) {
  describe(`custom grant types (${factory.name})`, () => {
    const start = (config: Record<string, unknown> = {}) => startWithPlugins(factory, [magicLink, pin], config)
    const magicClient = (s: Awaited<ReturnType<typeof start>>, grants = [MAGIC]) =>
      createClient(s, { grant_types: grants, scope: 'read write', audience: ['https://api.test'] })

    it('routes the grant, lets handle decide, and mints and stores the tokens itself', async () => {
      const s = await start()
      const client = await magicClient(s, [MAGIC, 'refresh_token'])
      const res = await token(s, { grant_type: MAGIC, link: 'ok', scope: 'read', ignored: 'x' }, client)
      expect(res.status).toBe(200)
      const body = (await res.json()) as Record<string, unknown>
      expect(body).toEqual({
        access_token: expect.stringMatching(/^ory_at_/),
        refresh_token: expect.stringMatching(/^ory_rt_/),
        token_type: 'bearer',
        expires_in: 600,
        scope: 'read',
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      })
      const info = await introspect(s, body.access_token as string)
      expect(info).toMatchObject({ active: true, sub: 'user-1', client_id: client.client_id, scope: 'read', ext: { via: 'magic-link' } })
      const req = requests.at(-1)!
      expect([...req.params.keys()].sort()).toEqual(['link', 'scope'])
      expect(req.client?.client_id).toBe(client.client_id)
      expect(req.requestedAt).toBe(s.clock())

      const refreshed = await token(s, { grant_type: 'refresh_token', refresh_token: body.refresh_token as string }, client)
      expect(refreshed.status).toBe(200)
      expect((await introspect(s, ((await refreshed.json()) as { access_token: string }).access_token)).sub).toBe('user-1')
    })

    it('issues no refresh token to a client without the refresh_token grant', async () => {
      const s = await start()
      const client = await magicClient(s)
      const body = (await (await token(s, { grant_type: MAGIC, link: 'ok' }, client)).json()) as Record<string, unknown>
      expect(body.refresh_token).toBeUndefined()
      expect((await introspect(s, body.access_token as string)).aud).toEqual(['https://api.test'])
    })

    it('is listed in discovery and accepted in client grant_types', async () => {
      const s = await start()
      const doc = (await (await s.publicFetch('http://localhost/.well-known/openid-configuration')).json()) as { grant_types_supported: string[] }
      expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['client_credentials', MAGIC, 'pin']))
      const { data } = await s.hydra.oauth2.createOAuth2Client({ oAuth2Client: { grant_types: ['pin'], response_types: ['none'] } })
      expect(data.grant_types).toEqual(['pin'])

      const plain = await startServer(factory)
      const refused = await plain.adminFetch('http://localhost/admin/clients', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_types: ['pin'], response_types: ['none'] }),
      })
      expect({ status: refused.status, error: ((await refused.json()) as { error: string }).error }).toEqual({
        status: 400,
        error: 'invalid_client_metadata',
      })
    })

    const refusals: [string, Record<string, string>, number, string][] = [
      ['passes the OAuthError of handle through', { link: 'expired' }, 400, 'invalid_grant'],
      ['fails closed when handle decides nothing', { link: 'undecided' }, 500, 'server_error'],
      ['fails closed when the decision has no subject', { link: 'no-subject' }, 500, 'server_error'],
      ['refuses scopes the client may not have', { link: 'ok', scope: 'admin' }, 400, 'invalid_scope'],
    ]
    for (const [what, form, status, error] of refusals) {
      it(`${what} (${status} ${error}) and stores nothing`, async () => {
        const s = await start()
        const client = await magicClient(s, [MAGIC, 'refresh_token'])
        const res = await token(s, { grant_type: MAGIC, ...form }, client)
        expect(await errorOf(res)).toMatchObject({ status, error })
        expect(await tokenCounts(s)).toEqual({ access: 0, refresh: 0 })
      })
    }

    it('contains a handle that hangs past the timeout with server_error, logged with the plugin name', async () => {
      const s = await start({ plugins: [{ name: 'magic-link', timeout: '5ms' }, 'pin'] })
      const client = await magicClient(s)
      expect(await errorOf(await token(s, { grant_type: MAGIC, link: 'hang' }, client))).toMatchObject({ status: 500, error: 'server_error' })
      expect(s.logs.some((l) => l.msg === 'plugin failed' && l.plugin === 'magic-link' && l.hook === `grant ${MAGIC}`)).toBe(true)
      expect(await tokenCounts(s)).toEqual({ access: 0, refresh: 0 })
    })

    it('authenticates the client as declared: required refuses a request without credentials', async () => {
      const s = await start()
      const res = await token(s, { grant_type: MAGIC, link: 'ok' })
      expect(await errorOf(res)).toMatchObject({ status: 401, error: 'invalid_client' })
    })

    it('refuses a client that does not list the grant type with unauthorized_client', async () => {
      const s = await start()
      const client = await createClient(s)
      expect(await errorOf(await token(s, { grant_type: MAGIC, link: 'ok' }, client))).toMatchObject({ status: 400, error: 'unauthorized_client' })
    })

    it('optional client auth: an anonymous request issues to the client the decision names, and only to one allowed the grant', async () => {
      const s = await start()
      const client = await createClient(s, { grant_types: ['pin'] })
      const res = await token(s, { grant_type: 'pin', pin: '1234', for: client.client_id })
      expect(res.status).toBe(200)
      expect(requests.at(-1)!.client).toBeNull()
      const info = await introspect(s, ((await res.json()) as { access_token: string }).access_token)
      expect(info).toMatchObject({ sub: 'pin-1234', client_id: client.client_id })

      expect(await errorOf(await token(s, { grant_type: 'pin', pin: '1' }))).toMatchObject({ status: 500, error: 'server_error' })
      const other = await createClient(s)
      expect(await errorOf(await token(s, { grant_type: 'pin', pin: '1', for: other.client_id }))).toMatchObject({
        status: 400,
        error: 'unauthorized_client',
      })
      const wrong = { client_id: client.client_id, client_secret: 'not-the-secret' }
      expect(await errorOf(await token(s, { grant_type: 'pin', pin: '1' }, wrong))).toMatchObject({ status: 401, error: 'invalid_client' })
    })
  })
}
