import type { Config } from '../config/schema.ts'

/** The development pages Gatehouse carries itself, in place of an operator's login, consent, logout and device app. */
export type BuiltinPage = 'login' | 'consent' | 'logout' | 'device' | 'device_done'

/** Where the built-in pages live on the public API (Hydra serves its placeholders under /oauth2/fallbacks). */
export const BUILTIN_PAGE_PATHS: Readonly<Record<BuiltinPage, string>> = {
  login: '/oauth2/fallbacks/login',
  consent: '/oauth2/fallbacks/consent',
  logout: '/oauth2/fallbacks/logout',
  device: '/oauth2/fallbacks/device',
  device_done: '/oauth2/fallbacks/device/done',
}

/** The configuration key naming the operator's own app in place of a built-in page. */
export const PAGE_CONFIG_KEYS: Readonly<Record<BuiltinPage, string>> = {
  login: 'urls.login',
  consent: 'urls.consent',
  logout: 'urls.logout',
  device: 'urls.device.verification',
  device_done: 'urls.device.success',
}

/** The operator's URL for a page, if configured. */
function configuredUrl(config: Config, page: BuiltinPage): string | undefined {
  if (page === 'device') return config.urls.device.verification
  if (page === 'device_done') return config.urls.device.success
  return config.urls[page]
}

/** A built-in page serves only under --dev, and only while the operator names no app of their own for it. */
export const builtinPageActive = (config: Config, page: BuiltinPage): boolean => config.dev && !configuredUrl(config, page)

/** The built-in page's URL when it is active; '' otherwise (outside --dev, or with its `urls.*` key set). */
export const builtinPageUrl = (config: Config, publicUrl: string, page: BuiltinPage): string =>
  builtinPageActive(config, page) ? `${publicUrl}${BUILTIN_PAGE_PATHS[page]}` : ''

/** The login, registration, consent, logout and device apps the flow sends the browser to; '' where there is none. */
export type FlowApps = Readonly<Record<BuiltinPage | 'registration', string>>

/**
 * The apps' `urls.*` keys, with the built-in pages standing in for unset ones under --dev, and `urls.registration`,
 * which defaults to the login app (as in Hydra).
 */
export const flowApps = (config: Config, publicUrl: string): FlowApps => {
  const app = (page: BuiltinPage) => configuredUrl(config, page) || builtinPageUrl(config, publicUrl, page)
  const login = app('login')
  return {
    login,
    registration: config.urls.registration || login,
    consent: app('consent'),
    logout: app('logout'),
    device: app('device'),
    device_done: app('device_done'),
  }
}
