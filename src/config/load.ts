import { Kind, type TObject, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ConfigSchema, type Config } from './schema.ts'
import { crossFieldProblems } from './checks.ts'
import { deepFreeze } from '../util/deep_freeze.ts'

/** Raised with every problem found, each prefixed by the key path. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID'
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

export interface LoadOptions {
  /** Parsed config file contents (YAML or JSON), if any. */
  file?: unknown
  /** Environment variables (only keys named after config paths are read). */
  env?: Record<string, string | undefined>
  /** Values from CLI flags, applied last. */
  overrides?: Record<string, unknown>
}

/** Parses a YAML or JSON config file's text; the format is chosen by extension, YAML otherwise. */
export function parseConfigText(text: string, path: string): unknown {
  try {
    const value = path.endsWith('.json') ? JSON.parse(text) : Bun.YAML.parse(text)
    if (value === null || value === undefined) return {}
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('the top level must be a mapping')
    return value
  } catch (err) {
    throw new ConfigError([`${path}: cannot parse: ${(err as Error).message}`])
  }
}

type Leaf = { path: string[]; schema: TSchema }

function leaves(schema: TSchema, path: string[] = []): Leaf[] {
  if (schema[Kind] === 'Object' && (schema as TObject).properties) {
    return Object.entries((schema as TObject).properties).flatMap(([k, s]) => leaves(s, [...path, k]))
  }
  return [{ path, schema }]
}

const ENV_LEAVES = leaves(ConfigSchema)

/** The environment variable that sets a key: `urls.self.issuer` → `URLS_SELF_ISSUER`. */
export const envName = (path: string[]) => path.join('_').toUpperCase()

function coerce(raw: string, schema: TSchema): unknown {
  switch (schema[Kind]) {
    case 'Integer':
    case 'Number':
      return raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw
    case 'Boolean':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw
    case 'Array':
      return raw === '' ? [] : raw.split(',').map((s) => s.trim())
    default:
      return raw
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let node = target
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  node[path[path.length - 1]!] = value
}

/** Keys recognised in the environment, with their variable names (for docs and `gatehouse help`). */
export const envKeys = () => ENV_LEAVES.map((l) => ({ key: l.path.join('.'), env: envName(l.path), schema: l.schema }))

/**
 * Loads configuration: schema defaults, then the file, then environment variables, then CLI overrides.
 * Throws ConfigError listing every problem with its key path.
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const raw: Record<string, unknown> = structuredClone((options.file ?? {}) as Record<string, unknown>)
  for (const leaf of ENV_LEAVES) {
    const value = options.env?.[envName(leaf.path)]
    if (value !== undefined) setPath(raw, leaf.path, coerce(value, leaf.schema))
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) setPath(raw, key.split('.'), value)

  const withDefaults = Value.Default(ConfigSchema, raw)
  const problems = [...Value.Errors(ConfigSchema, withDefaults)].map(
    (e) => `${e.path.slice(1).replaceAll('/', '.') || '(root)'}: ${e.message}`,
  )
  if (problems.length) {
    // Cross-field rules still run on what parsed, so one pass reports everything it can.
    throw new ConfigError([...new Set([...problems, ...crossFieldProblems(withDefaults as Config)])])
  }
  const config = Value.Decode(ConfigSchema, withDefaults)
  const crossField = crossFieldProblems(config)
  if (crossField.length) throw new ConfigError(crossField)
  return deepFreeze(config)
}
