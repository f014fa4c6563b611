import { describe, expect, it } from 'bun:test'
import * as oauth from 'oauth4webapi'
import { ISSUER, local, startServer, storeFactories, type TestServer } from '../_harness.ts'
import { CLIENT_AUTH_METHOD_NAMES } from '../../src/oauth2/client_auth/index.ts'
import {
  buildDiscoveryDocument,
  DISCOVERY_CONTRIBUTIONS,
  mergeMetadata,
  type DiscoveryContribution,
} from '../../src/oidc/discovery.ts'

const PATHS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']

async function fetchDoc(s: TestServer, path = PATHS[0]!) {
  const res = await s.publicFetch(`http://localhost${path}`)
  expect(res.status).toBe(200)
  return { res, doc: (await res.json()) as Record<string, unknown> }
}

/** Maps a URL the document advertises onto the in-process public app. */
for (const factory of storeFactories()) {
  describe(`discovery (${factory.name})`, () => {
    it('serves one JSON document on both well-known paths', async () => {
      const s = await startServer(factory)
      const [a, b] = await Promise.all(PATHS.map((p) => fetchDoc(s, p)))
      for (const { res } of [a!, b!]) {
        expect(res.headers.get('content-type')).toStartWith('application/json')
        expect(res.headers.get('cache-control')).toBe('public, max-age=300')
      }
      expect(b!.doc).toEqual(a!.doc)
      expect(a!.doc.issuer).toBe(ISSUER)
    })

    it('is accepted by oauth4webapi under both algorithms', async () => {
      const s = await startServer(factory)
      const options = { [oauth.customFetch]: (url: string, init: RequestInit) => s.publicFetch(local(url), init) }
      for (const algorithm of ['oidc', 'oauth2'] as const) {
        const res = await oauth.discoveryRequest(new URL(ISSUER), { ...options, algorithm })
        const as = await oauth.processDiscoveryResponse(new URL(ISSUER), res)
        expect(as.token_endpoint).toBe(`${ISSUER}/oauth2/token`)
      }
    })

    it('advertises only endpoints that answer on the public API', async () => {
      const s = await startServer(factory)
      const { doc } = await fetchDoc(s)
      const endpoints = Object.entries(doc).filter(([k]) => k.endsWith('_endpoint'))
      expect(endpoints.map(([k]) => k)).toEqual(expect.arrayContaining(['token_endpoint', 'revocation_endpoint']))
      for (const [name, url] of endpoints) {
        expect(url).toStartWith(`${ISSUER}/`)
        const statuses: number[] = []
        for (const method of ['GET', 'POST']) {
          const init: RequestInit =
            method === 'POST' ? { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' } : { method }
          statuses.push((await s.publicFetch(local(url as string), init)).status)
        }
        // The route exists (some method is not 404/405) and empty input is refused without a server error.
        expect({ name, answered: statuses.some((st) => st !== 404 && st !== 405) }).toEqual({ name, answered: true })
        expect({ name, statuses: statuses.filter((st) => st >= 500) }).toEqual({ name, statuses: [] })
      }
      expect(doc.jwks_uri).toBe(`${ISSUER}/.well-known/jwks.json`)
      const jwks = await s.publicFetch(local(doc.jwks_uri as string))
      expect(jwks.status).toBe(200)
      expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0)
    })

    it('advertises nothing that is not implemented on the public API', async () => {
      const s = await startServer(factory)
      const { doc } = await fetchDoc(s)
      // Introspection is admin-only (as in Hydra); the others are not built.
      for (const absent of [
        'introspection_endpoint',
        'introspection_endpoint_auth_methods_supported',
        'registration_endpoint',
        'pushed_authorization_request_endpoint',
        'mtls_endpoint_aliases',
        'dpop_signing_alg_values_supported',
      ]) {
        expect(doc).not.toHaveProperty(absent)
      }
      expect(doc.token_endpoint_auth_methods_supported).not.toContain('tls_client_auth')
    })

    it('advertises exactly the grants the token endpoint accepts', async () => {
      const s = await startServer(factory)
      const { doc } = await fetchDoc(s)
      expect(doc.grant_types_supported).toEqual(s.ctx.grants.types())
      expect(doc.grant_types_supported).toContain('client_credentials')
      for (const grantType of doc.grant_types_supported as string[]) {
        const res = await s.publicFetch('http://localhost/oauth2/token', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: grantType }).toString(),
        })
        expect(((await res.json()) as { error: string }).error).not.toBe('unsupported_grant_type')
      }
    })

    it('advertises the device authorization endpoint and its grant (RFC 8628 §4)', async () => {
      const s = await startServer(factory, { 'urls.self.public': 'https://api.gatehouse.test/' })
      const options = { [oauth.customFetch]: (url: string, init: RequestInit) => s.publicFetch(local(url), init) }
      const as = await oauth.processDiscoveryResponse(new URL(ISSUER), await oauth.discoveryRequest(new URL(ISSUER), options))
      expect(as.device_authorization_endpoint).toBe('https://api.gatehouse.test/oauth2/device/auth')
      expect(as.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:device_code')
    })

    it('advertises the client authentication methods and algorithms the endpoints accept', async () => {
      const s = await startServer(factory)
      const { doc } = await fetchDoc(s)
      expect(doc.token_endpoint_auth_methods_supported).toEqual([...CLIENT_AUTH_METHOD_NAMES])
      expect(doc.token_endpoint_auth_methods_supported).toEqual(
        expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'client_secret_jwt', 'none']),
      )
      expect(doc.revocation_endpoint_auth_methods_supported).toEqual(doc.token_endpoint_auth_methods_supported)
      const algs = doc.token_endpoint_auth_signing_alg_values_supported as string[]
      expect(algs).toEqual(expect.arrayContaining(['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256', 'HS512']))
      expect(algs).not.toContain('none')
      expect(doc.revocation_endpoint_auth_signing_alg_values_supported).toEqual(algs)
    })

    it('reflects the configuration', async () => {
      const s = await startServer(factory, {
        'urls.self.public': 'https://api.gatehouse.test/',
        'oidc.subject_identifiers.supported_types': ['public', 'pairwise'],
        'oidc.subject_identifiers.pairwise.salt': 'some-pairwise-salt-value',
        'keys.algorithms.id_token': 'RS256',
      })
      const { doc } = await fetchDoc(s)
      expect(doc).toMatchObject({
        issuer: ISSUER,
        token_endpoint: 'https://api.gatehouse.test/oauth2/token',
        revocation_endpoint: 'https://api.gatehouse.test/oauth2/revoke',
        jwks_uri: 'https://api.gatehouse.test/.well-known/jwks.json',
        subject_types_supported: ['public', 'pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
      })
      const defaults = await fetchDoc(await startServer(factory))
      expect(defaults.doc).toMatchObject({ subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256'] })
    })

    it('advertises registration_endpoint only while dynamic client registration is enabled', async () => {
      expect((await fetchDoc(await startServer(factory))).doc).not.toHaveProperty('registration_endpoint')
      const s = await startServer(factory, { 'oidc.dynamic_client_registration.enabled': true })
      const { doc } = await fetchDoc(s)
      expect(doc.registration_endpoint).toBe(`${ISSUER}/oauth2/register`)
      const res = await s.publicFetch(local(doc.registration_endpoint as string), { method: 'POST', body: '{}' })
      expect(res.status).toBe(201)
    })

    it('builds the document once per app', async () => {
      const s = await startServer(factory)
      expect(s.ctx.discovery).toBe(s.ctx.discovery)
      expect(Object.isFrozen(s.ctx.discovery)).toBe(true)
      const other = await startServer(factory, { 'urls.self.public': 'https://other.gatehouse.test' })
      expect(other.ctx.discovery.token_endpoint).toBe('https://other.gatehouse.test/oauth2/token')
    })

    it('grows by adding a contribution', async () => {
      const s = await startServer(factory)
      const base = s.ctx.discovery
      const extra: DiscoveryContribution = {
        feature: 'example',
        metadata: () => ({
          example_endpoint: 'https://gatehouse.test/example',
          grant_types_supported: ['urn:example:grant', 'client_credentials'],
        }),
      }
      const doc = buildDiscoveryDocument(s.ctx, [...DISCOVERY_CONTRIBUTIONS, extra])
      expect(doc).toEqual({
        ...base,
        example_endpoint: 'https://gatehouse.test/example',
        grant_types_supported: [...s.ctx.grants.types(), 'urn:example:grant'],
      })
    })
  })
}

describe('mergeMetadata', () => {
  it('unites lists in order without duplicates and keeps agreeing scalars', () => {
    expect(mergeMetadata([{ a: ['x', 'y'], s: 'v' }, { a: ['y', 'z'], s: 'v', b: true }, { c: ['q', 'q'] }])).toEqual({
      a: ['x', 'y', 'z'],
      s: 'v',
      b: true,
      c: ['q'],
    })
  })

  it('throws when two contributions disagree about a value', () => {
    expect(() => mergeMetadata([{ issuer: 'https://a' }, { issuer: 'https://b' }])).toThrow(/issuer/)
    expect(() => mergeMetadata([{ x: ['a'] }, { x: 'a' }])).toThrow(/"x"/)
  })
})
