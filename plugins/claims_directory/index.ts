import { definePlugin, RESERVED_ACCESS_TOKEN_CLAIMS, RESERVED_ID_TOKEN_CLAIMS, Type, type Claims } from 'gatehouse/plugin'
import { fileSource, httpSource, type ClaimsSource } from './source.ts'

const options = Type.Object({
  file: Type.Optional(Type.String({ minLength: 1, description: 'JSON (.json) or YAML file mapping each subject to its claims.' })),
  url: Type.Optional(Type.String({ pattern: '^https?://', description: 'Endpoint answering a subject\'s claims; {subject} is replaced, else ?subject= is added.' })),
  headers: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Headers sent to the endpoint (e.g. Authorization).' }),
  cache_ttl: Type.Integer({ minimum: 0, default: 300, description: 'Seconds a file or an answer is reused.' }),
  id_token: Type.Boolean({ default: true, description: 'Add the claims to ID tokens and userinfo.' }),
  access_token: Type.Boolean({ default: false, description: 'Add the claims to access tokens (ext).' }),
  scopes: Type.Optional(
    Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Claims released per granted scope; default: all claims.' }),
  ),
})

const pick = (claims: Claims, names: ReadonlySet<string> | null, reserved: ReadonlySet<string>): Claims =>
  Object.fromEntries(Object.entries(claims).filter(([k]) => !reserved.has(k) && (!names || names.has(k))))

/** Claims for a subject from a JSON/YAML directory file or an HTTP endpoint, cached, added to tokens. */
export default definePlugin({
  name: 'claims-directory',
  version: '1.0.0',
  options,
  setup(api) {
    const o = api.options
    if ((o.file === undefined) === (o.url === undefined)) throw new Error('set exactly one of the options file and url')
    const ttl = o.cache_ttl * 1000
    const now = () => api.clock()
    const warn = api.logger.warn
    const source: ClaimsSource = o.file
      ? fileSource(o.file, ttl, now, warn)
      : httpSource({ url: o.url!, headers: o.headers, ttl, now, warn })

    api.hook('token.claims', async (t) => {
      const toIdToken = o.id_token && t.idToken
      if (!toIdToken && !o.access_token) return undefined
      const claims = await source.lookup(t.subject)
      if (!claims) return undefined
      const names = o.scopes ? new Set(t.scopes.flatMap((s) => o.scopes![s] ?? [])) : null
      return {
        ...(o.access_token ? { accessToken: pick(claims, names, RESERVED_ACCESS_TOKEN_CLAIMS) } : {}),
        ...(toIdToken ? { idToken: pick(claims, names, RESERVED_ID_TOKEN_CLAIMS) } : {}),
      }
    })
  },
})
