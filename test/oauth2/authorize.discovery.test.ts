import { describe, expect, it } from 'bun:test'
import { ISSUER, startFlowServer, storeFactories } from '../_harness.ts'

for (const factory of storeFactories()) {
  describe(`discovery of the authorization endpoint (${factory.name})`, () => {
    it('advertises the endpoint, code only, the three response modes, S256 only, RFC 9207 iss and request objects', async () => {
      const s = await startFlowServer(factory)
      const doc = (await (await s.publicFetch('http://localhost/.well-known/openid-configuration')).json()) as Record<string, unknown>
      expect(doc).toMatchObject({
        authorization_endpoint: `${ISSUER}/oauth2/auth`,
        response_types_supported: ['code'],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
        request_parameter_supported: true,
        request_uri_parameter_supported: true,
        require_request_uri_registration: true,
        request_object_signing_alg_values_supported: ['none', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'],
        claims_parameter_supported: false,
      })
      const res = await s.publicFetch(`${(doc.authorization_endpoint as string).replace(ISSUER, 'http://localhost')}?client_id=x`)
      expect(res.status).toBe(400)
    })
  })
}
