import { isAbsolute, resolve } from 'node:path'
import { Kind, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { FIRST_PARTY_PLUGINS } from '../../plugins/index.ts'
import type { Config } from '../config/schema.ts'
import { BUILT_IN_GRANTS, GrantRegistry } from '../oauth2/grants/index.ts'
import type { CoreContext } from '../protocol/context.ts'
import { parseDuration } from '../util/duration.ts'
import type { Plugin, PluginApi } from './api.ts'
import { PluginError, type PluginErrorCode } from './plugin_error.ts'
import { pluginApi, type Staged } from './plugin_api.ts'
import type { ClaimsHookEntry, ConsentPolicyEntry, HookOwner, InstalledPlugin, PluginRuntime } from './registry.ts'
import { DEFAULT_HOOK_TIMEOUT } from './run_hooks.ts'
import { provideSdkModule } from './sdk_module.ts'
import { webhookConfigProblems } from './webhooks.ts'

export interface LoadPluginsOptions {
  /** Plugins that may be named besides the first-party ones (tests, the test kit). */
  catalog?: readonly Plugin[]
  /** Directory relative plugin paths start from. Default: the working directory. */
  cwd?: string
}

type Entry = Config['plugins'][number]

interface Resolved {
  where: string
  plugin: Plugin
  options: unknown
  owner: HookOwner
  source: string
}

class Problem extends Error {
  readonly code: PluginErrorCode
  constructor(code: PluginErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/** Whether a value is a plugin as definePlugin makes it (checked at runtime: path plugins are untyped). */
function isPlugin(value: unknown): value is Plugin {
  if (!value || typeof value !== 'object') return false
  const p = value as Record<string, unknown>
  const options = p.options as Record<symbol, unknown> | undefined
  return (
    typeof p.name === 'string' && p.name.length > 0 && typeof p.version === 'string' && typeof p.setup === 'function' &&
    (options === undefined || (typeof options === 'object' && options !== null && Kind in options))
  )
}

async function importPlugin(path: string, cwd: string, where: string): Promise<Plugin> {
  provideSdkModule()
  const file = isAbsolute(path) ? path : resolve(cwd, path)
  let mod: Record<string, unknown>
  try {
    mod = (await import(file)) as Record<string, unknown>
  } catch (err) {
    throw new Problem('ERR_PLUGIN_INVALID', `${where}: cannot import ${file}: ${(err as Error).message}`)
  }
  const plugin = mod.default ?? mod.plugin
  if (!isPlugin(plugin)) {
    throw new Problem('ERR_PLUGIN_INVALID', `${where}: ${file} must export a plugin made by definePlugin() as its default export`)
  }
  return plugin
}

function optionsOf(plugin: Plugin, raw: unknown, where: string): unknown {
  const schema: TSchema | undefined = plugin.options
  if (!schema) {
    if (raw === undefined || (typeof raw === 'object' && raw !== null && Object.keys(raw).length === 0)) return undefined
    throw new Problem('ERR_PLUGIN_OPTIONS', `${where}.options: plugin "${plugin.name}" takes no options`)
  }
  const start = raw === undefined && schema[Kind] === 'Object' ? {} : structuredClone(raw)
  const value = Value.Default(schema, start)
  const problems = [...Value.Errors(schema, value)].map((e) => `${where}.options${e.path.replaceAll('/', '.')}: ${e.message}`)
  if (problems.length) throw new Problem('ERR_PLUGIN_OPTIONS', `plugin "${plugin.name}": ${problems.join('; ')}`)
  return Object.freeze(Value.Decode(schema, value))
}

async function resolveEntry(entry: Entry, where: string, catalog: readonly Plugin[], cwd: string): Promise<Resolved> {
  const e = typeof entry === 'string' ? { name: entry } : entry
  if ((e.name === undefined) === (e.path === undefined)) {
    throw new Problem('ERR_PLUGIN_INVALID', `${where}: give either name (a first-party plugin) or path (a plugin file)`)
  }
  let plugin: Plugin
  if (e.name !== undefined) {
    const found = catalog.find((p) => p.name === e.name)
    if (!found) {
      const known = catalog.map((p) => p.name).join(', ') || 'none'
      throw new Problem('ERR_PLUGIN_INVALID', `${where}: unknown plugin "${e.name}" (available: ${known})`)
    }
    plugin = found
  } else {
    plugin = await importPlugin(e.path!, cwd, where)
  }
  const timeout = e.timeout ? parseDuration(e.timeout) : DEFAULT_HOOK_TIMEOUT
  if (timeout <= 0) throw new Problem('ERR_PLUGIN_INVALID', `${where}.timeout: must be positive`)
  const options = optionsOf(plugin, e.options, where)
  return { where, plugin, options, owner: { name: plugin.name, timeout }, source: e.path ?? 'first-party' }
}

/** Sorted-key JSON, so `{a, b}` and `{b, a}` dedupe alike. */
function stableJson(value: unknown): string {
  const sorted = (_: string, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v
  return JSON.stringify(value, sorted) ?? ''
}

async function resolveAll(config: Config, catalog: readonly Plugin[], cwd: string): Promise<Resolved[]> {
  const problems: Problem[] = webhookConfigProblems(config).map((p) => new Problem('ERR_PLUGIN_INVALID', p))
  const resolved: Resolved[] = []
  const seen = new Set<string>()
  for (const [i, entry] of config.plugins.entries()) {
    try {
      const r = await resolveEntry(entry, `plugins.${i}`, catalog, cwd)
      const key = `${r.plugin.name}\0${stableJson(r.options)}`
      if (!seen.has(key)) resolved.push(r)
      seen.add(key)
    } catch (err) {
      if (!(err instanceof Problem)) throw err
      problems.push(err)
    }
  }
  if (problems.length) throw new PluginError(problems[0]!.code, problems.map((p) => p.message))
  return resolved
}

interface Committed {
  installed: InstalledPlugin[]
  grants: GrantRegistry
  claimsHooks: ClaimsHookEntry[]
  consentPolicies: ConsentPolicyEntry[]
}

function commit(into: Committed, r: Resolved, staged: Staged): void {
  const types = staged.grants.map((g) => g.grantType)
  const taken = types.find((t, i) => into.grants.get(t) || types.indexOf(t) !== i)
  if (taken) throw new Error(`grant type "${taken}" is already registered`)
  for (const grant of staged.grants) into.grants.register(grant)
  into.claimsHooks.push(...staged.claimsHooks)
  into.consentPolicies.push(...staged.consentPolicies)
  into.installed.push({ name: r.plugin.name, version: r.plugin.version, source: r.source })
}

/**
 * Loads the plugins listed under `plugins:` in order: resolves each (first-party by name, or a file by path),
 * checks its options against its schema, dedupes identical entries (name + options), runs `setup` against the
 * app's core services and keeps what it registered. Every resolution problem is reported at once; a failing setup
 * stops at that plugin. Throws PluginError. The app is then built from the result (buildApp's `plugins`).
 */
export async function loadPlugins(core: CoreContext, opts: LoadPluginsOptions = {}): Promise<PluginRuntime> {
  const catalog = [...FIRST_PARTY_PLUGINS, ...(opts.catalog ?? [])]
  const resolved = await resolveAll(core.config, catalog, opts.cwd ?? process.cwd())
  const into: Committed = { installed: [], grants: new GrantRegistry(BUILT_IN_GRANTS), claimsHooks: [], consentPolicies: [] }
  for (const r of resolved) {
    const staged: Staged = { grants: [], claimsHooks: [], consentPolicies: [] }
    const { api, close } = pluginApi(core, r.plugin, r.options, r.owner, staged)
    try {
      await r.plugin.setup(api as PluginApi<never>)
      close()
      commit(into, r, staged)
    } catch (err) {
      close()
      throw new PluginError('ERR_PLUGIN_SETUP', [`${r.where} (plugin "${r.plugin.name}"): setup failed: ${(err as Error)?.message ?? String(err)}`])
    }
    core.logger.info('plugin loaded', { plugin: r.plugin.name, version: r.plugin.version, source: r.source })
  }
  const builtIn = new Set(BUILT_IN_GRANTS.map((g) => g.grantType))
  const grants = into.grants.types().filter((t) => !builtIn.has(t)).map((t) => into.grants.get(t)!)
  return Object.freeze({ installed: into.installed, grants, claimsHooks: into.claimsHooks, consentPolicies: into.consentPolicies })
}
