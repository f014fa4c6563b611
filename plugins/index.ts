import type { Plugin } from 'gatehouse/plugin'
import claimsDirectory from './claims_directory/index.ts'
import firstPartyConsent from './first_party_consent/index.ts'
import tokenExchange from './token_exchange/index.ts'

/** First-party plugins, imported statically so that the compiled binary carries them; picked by name in the config. */
export const FIRST_PARTY_PLUGINS: readonly Plugin[] = [tokenExchange, claimsDirectory, firstPartyConsent]
