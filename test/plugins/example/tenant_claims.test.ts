import { expect, it } from 'bun:test'
import { createTestGatehouse } from 'gatehouse/plugin/testkit'
import tenantClaims from './tenant_claims.ts'

it('adds the tenant of the client to its access tokens', async () => {
  const gh = await createTestGatehouse({ plugins: [{ plugin: tenantClaims, options: { tenants: { billing: 'acme' } } }] })
  const client = await gh.createClient({ client_id: 'billing' })
  const res = await gh.token({ grant_type: 'client_credentials' }, client)
  expect(res.status).toBe(200)
  const { access_token } = (await res.json()) as { access_token: string }
  expect((await gh.introspect(access_token)).ext).toEqual({ tenant: 'acme' })
  await gh.close()
})

it('refuses clients without a tenant when strict', async () => {
  const gh = await createTestGatehouse({ plugins: [{ plugin: tenantClaims, options: { tenants: {}, strict: true } }] })
  const res = await gh.token({ grant_type: 'client_credentials' }, await gh.createClient())
  expect(res.status).toBe(403)
  expect(((await res.json()) as { error: string }).error).toBe('access_denied')
  await gh.close()
})

it('rejects invalid options like the server does', async () => {
  const started = createTestGatehouse({ plugins: [{ plugin: tenantClaims, options: { tenants: [] } }] })
  await expect(started).rejects.toThrow('plugins.0.options.tenants')
})
