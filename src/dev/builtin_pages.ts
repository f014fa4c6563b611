import type { Config } from '../config/schema.ts'
import type { AppContext } from '../context.ts'

/** The development pages Gatehouse carries itself, in place of an operator's login, consent and logout app. */
export type BuiltinPage = 'login' | 'consent' | 'logout'

/** Where the built-in pages live on the public API (Hydra serves its placeholders under /oauth2/fallbacks). */
export const BUILTIN_PAGE_PATHS: Readonly<Record<BuiltinPage, string>> = {
  login: '/oauth2/fallbacks/login',
  consent: '/oauth2/fallbacks/consent',
  logout: '/oauth2/fallbacks/logout',
}

/** The demo client's redirect target: a page that redeems the code and shows the tokens. */
export const DEMO_CALLBACK_PATH = '/oauth2/fallbacks/callback'

/** A built-in page serves only under --dev, and only while the operator names no app of their own for it. */
export const builtinPageActive = (config: Config, page: BuiltinPage): boolean => config.dev && !config.urls[page]

/** The demo (client, authorize URL, callback) runs when both the login and the consent page are built in. */
export const demoActive = (config: Config): boolean => builtinPageActive(config, 'login') && builtinPageActive(config, 'consent')

/** The built-in page's URL when it is active; '' otherwise (outside --dev, or with `urls.<page>` set). */
export const builtinPageUrl = (ctx: Pick<AppContext, 'config' | 'publicUrl'>, page: BuiltinPage): string =>
  builtinPageActive(ctx.config, page) ? `${ctx.publicUrl}${BUILTIN_PAGE_PATHS[page]}` : ''
