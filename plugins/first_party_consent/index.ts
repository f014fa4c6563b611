import { definePlugin, Type } from 'gatehouse/plugin'

const options = Type.Object({
  metadata_key: Type.String({ minLength: 1, default: 'first_party', description: 'Client metadata member that marks a first-party client (value true).' }),
  remember: Type.Boolean({ default: false, description: 'Remember the consent, as if the user had ticked "remember me".' }),
  remember_for: Type.Integer({ minimum: 0, default: 0, description: 'Seconds a remembered consent lasts; 0 = forever.' }),
})

/** Skips the consent screen for clients marked first-party in their metadata, granting what they requested. */
export default definePlugin({
  name: 'first-party-consent',
  version: '1.0.0',
  options,
  setup(api) {
    const { metadata_key: key, remember, remember_for: rememberFor } = api.options
    api.consentPolicy({
      name: 'first-party',
      check(c) {
        if (c.client.metadata?.[key] !== true) return undefined
        // OIDC Core §3.1.2.1: prompt=consent asks the end-user even so.
        if (c.prompt.includes('consent')) return undefined
        return { action: 'skip', remember, rememberFor, reason: `client metadata ${key} is true` }
      },
    })
  },
})
