import { Kind, type TSchema } from '@sinclair/typebox'
import { envKeys } from './load.ts'
import { DURATION_PATTERN } from '../util/duration.ts'

/** One configuration key as documented by `gatehouse help config` and the README. */
export interface ConfigRow {
  /** Dotted key path, as in the config file. */
  key: string
  /** The environment variable that sets it. */
  env: string
  type: string
  /** The default, as it would be written in the environment; empty when there is none. */
  default: string
  description: string
}

function typeOf(schema: TSchema): string {
  switch (schema[Kind]) {
    case 'String':
      if (schema.pattern === DURATION_PATTERN) return 'duration'
      return schema.format === 'uri' ? 'url' : 'string'
    case 'Integer':
      return 'integer'
    case 'Number':
      return 'number'
    case 'Boolean':
      return 'boolean'
    case 'Literal':
      return String(schema.const)
    case 'Union':
      return (schema.anyOf as TSchema[]).map(typeOf).join('|')
    case 'Array': {
      const items = typeOf(schema.items as TSchema)
      return items === 'string' ? 'list' : `list of ${items}`
    }
    default:
      return String(schema[Kind]).toLowerCase()
  }
}

function defaultOf(schema: TSchema): string {
  const value: unknown = schema.default
  if (value === undefined) return ''
  if (Array.isArray(value)) return value.join(',')
  return String(value)
}

/** Every configuration key with its environment variable, type, default and description, from the schema. */
export function configRows(): ConfigRow[] {
  return envKeys().map(({ key, env, schema }) => ({
    key,
    env,
    type: typeOf(schema),
    default: defaultOf(schema),
    description: typeof schema.description === 'string' ? schema.description : '',
  }))
}
