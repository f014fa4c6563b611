import type { Config } from '../config/schema.ts'
import { builtinPageActive } from '../flow/apps.ts'

/** The demo client's redirect target: a page that redeems the code and shows the tokens. */
export const DEMO_CALLBACK_PATH = '/oauth2/fallbacks/callback'

/** The demo (client, authorize URL, callback) runs when both the login and the consent page are built in. */
export const demoActive = (config: Config): boolean => builtinPageActive(config, 'login') && builtinPageActive(config, 'consent')
