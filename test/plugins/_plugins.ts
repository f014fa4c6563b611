import type { Plugin } from '../../src/plugins/api.ts'
import {
  basic,
  memoryLogger,
  startServer,
  TOKEN_URL,
  tokenCount,
  type StoreFactory,
  type TestServer,
} from '../_harness.ts'

export interface PluginServer extends TestServer {
  logs: Record<string, unknown>[]
}

/**
 * A test server with `plugins` available by name and the config's `plugins:` list loaded, as at startup.
 * `entries` defaults to every plugin by name.
 */
export async function startWithPlugins(
  factory: StoreFactory,
  plugins: Plugin[],
  config: Record<string, unknown> = {},
): Promise<PluginServer> {
  const { logger, entries } = memoryLogger()
  const s = await startServer(factory, { plugins: plugins.map((p) => p.name), ...config }, { logger, plugins: { catalog: plugins } })
  return { ...s, logs: entries }
}

/** POSTs a token request, authenticated with client_secret_basic when a client is given. */
export function token(s: TestServer, form: Record<string, string>, client?: { client_id: string; client_secret: string }): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
  if (client) headers.authorization = basic(client.client_id, client.client_secret)
  return s.publicFetch(TOKEN_URL, { method: 'POST', headers, body: new URLSearchParams(form).toString() })
}

/** How many access and refresh tokens the store holds. */
export async function tokenCounts(s: TestServer): Promise<{ access: number; refresh: number }> {
  return { access: await tokenCount(s, 'access_token'), refresh: await tokenCount(s, 'refresh_token') }
}

/** A promise that never settles: a hook that hangs. */
export const never = <T>() => new Promise<T>(() => {})
