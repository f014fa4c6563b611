import type { Config } from '../config/schema.ts'

/** The development pages Gatehouse carries itself, in place of an operator's login, consent and logout app. */
export type BuiltinPage = 'login' | 'consent' | 'logout'

/** Where the built-in pages live on the public API (Hydra serves its placeholders under /oauth2/fallbacks). */
export const BUILTIN_PAGE_PATHS: Readonly<Record<BuiltinPage, string>> = {
  login: '/oauth2/fallbacks/login',
  consent: '/oauth2/fallbacks/consent',
  logout: '/oauth2/fallbacks/logout',
}

/** A built-in page serves only under --dev, and only while the operator names no app of their own for it. */
export const builtinPageActive = (config: Config, page: BuiltinPage): boolean => config.dev && !config.urls[page]

/** The built-in page's URL when it is active; '' otherwise (outside --dev, or with `urls.<page>` set). */
export const builtinPageUrl = (config: Config, publicUrl: string, page: BuiltinPage): string =>
  builtinPageActive(config, page) ? `${publicUrl}${BUILTIN_PAGE_PATHS[page]}` : ''

/** The login, registration, consent and logout apps the flow sends the browser to; '' where there is none. */
export type FlowApps = Readonly<Record<BuiltinPage | 'registration', string>>

/**
 * `urls.login`, `urls.consent` and `urls.logout`, with the built-in pages standing in for unset ones under --dev, and
 * `urls.registration`, which defaults to the login app (as in Hydra).
 */
export function flowApps(config: Config, publicUrl: string): FlowApps {
  const login = config.urls.login || builtinPageUrl(config, publicUrl, 'login')
  return {
    login,
    registration: config.urls.registration || login,
    consent: config.urls.consent || builtinPageUrl(config, publicUrl, 'consent'),
    logout: config.urls.logout || builtinPageUrl(config, publicUrl, 'logout'),
  }
}
