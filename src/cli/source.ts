import { CommandError, UsageError, type Args, type Flags } from './args.ts'

export const CONFIG_FLAG = {
  config: { type: 'string', short: 'c', value: '<file>', description: 'Configuration file (YAML or JSON).' },
} as const satisfies Flags

/** Flags of commands that take a DSN argument or read it from the environment/config (Hydra's `-e`). */
export const DSN_FLAGS = {
  'read-from-env': {
    type: 'boolean',
    short: 'e',
    description: 'Read the DSN from the environment (DSN) or the config file instead of an argument.',
  },
  ...CONFIG_FLAG,
} as const satisfies Flags

/** Reads and parses a config file; a missing or malformed file is one clear error. */
export async function readConfigFile(path: string): Promise<unknown> {
  const file = Bun.file(path)
  if (!(await file.exists())) throw new CommandError(`cannot read config file ${path}: no such file`)
  let text: string
  try {
    text = await file.text()
  } catch (err) {
    throw new CommandError(`cannot read config file ${path}: ${(err as Error).message}`)
  }
  const { parseConfigText } = await import('../config/load.ts')
  return parseConfigText(text, path)
}

/**
 * The DSN of `migrate` and `janitor`: the positional argument, or with `-e` / `-c` the `DSN` variable,
 * falling back to `dsn` in the config file. Its scheme is checked before anything connects.
 */
export async function resolveDsn(args: Args, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const given = args.positionals[0]
  const configPath = args.string('config')
  const fromSource = args.boolean('read-from-env') || configPath !== undefined
  if (given !== undefined && fromSource) throw new UsageError('give either a DSN argument or -e/-c, not both')
  let dsn = given
  if (dsn === undefined) {
    if (!fromSource) throw new UsageError('a DSN argument or -e (read DSN from the environment) is required')
    const file = configPath === undefined ? undefined : await readConfigFile(configPath)
    const fromFile = (file as { dsn?: unknown } | undefined)?.dsn
    dsn = env.DSN || (typeof fromFile === 'string' ? fromFile : undefined)
    if (!dsn) throw new CommandError('no DSN: set the DSN environment variable or dsn in the config file')
  }
  const { parseDsn } = await import('../store/open.ts')
  parseDsn(dsn)
  return dsn
}
