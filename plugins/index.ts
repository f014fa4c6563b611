import type { Plugin } from 'gatehouse/plugin'

/** First-party plugins, imported statically so that the compiled binary carries them; picked by name in the config. */
export const FIRST_PARTY_PLUGINS: readonly Plugin[] = []
