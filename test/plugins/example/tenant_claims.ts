import { AccessDenied, definePlugin, Type } from 'gatehouse/plugin'

export default definePlugin({
  name: 'tenant-claims',
  version: '1.0.0',
  options: Type.Object({
    // The tenant of each client, by client id.
    tenants: Type.Record(Type.String(), Type.String()),
    // Refuse tokens to clients that belong to no tenant.
    strict: Type.Boolean({ default: false }),
  }),
  setup(api) {
    api.hook('token.claims', ({ client, idToken }) => {
      const tenant = api.options.tenants[client.client_id]
      if (!tenant) {
        if (api.options.strict) throw AccessDenied.with({ hint: 'The client belongs to no tenant.' })
        return undefined
      }
      api.logger.debug('tenant claim added', { client_id: client.client_id, tenant })
      return { accessToken: { tenant }, ...(idToken ? { idToken: { tenant } } : {}) }
    })
  },
})
