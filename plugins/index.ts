import type { Plugin } from 'gatehouse/plugin'
import tokenExchange from './token_exchange/index.ts'

/** First-party plugins, imported statically so that the compiled binary carries them; picked by name in the config. */
export const FIRST_PARTY_PLUGINS: readonly Plugin[] = [tokenExchange]
