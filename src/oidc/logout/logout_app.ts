import type { AppContext } from '../../context.ts'

const builtinPages = new WeakMap<AppContext, string>()

/**
 * Registers the built-in logout page that receives `?logout_challenge=` under --dev when `urls.logout` is not
 * configured. Outside --dev it has no effect: a deployment must name its logout app.
 */
export function useBuiltinLogoutPage(ctx: AppContext, url: string): void {
  builtinPages.set(ctx, url)
}

/** Where the browser takes a logout challenge: `urls.logout`, else under --dev the built-in page; null when neither. */
export function logoutAppUrl(ctx: AppContext): string | null {
  if (ctx.config.urls.logout) return ctx.config.urls.logout
  return ctx.config.dev ? (builtinPages.get(ctx) ?? null) : null
}
