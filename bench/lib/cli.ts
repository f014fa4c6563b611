import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

/** The loads the product tools (compare, profile, in_process) drive. */
export const LOADS = ['cc', 'cc-jwt', 'introspect', 'flows'] as const
export const STORES = ['sqlite', 'postgres'] as const
export const ALGS = ['ES256', 'RS256'] as const

/** An option value or positional the tool cannot use; reported with the tool's usage, without a stack trace. */
export class UsageError extends Error {}

/** A whole number ≥ min from a `--name` option, or the fallback when it was not given. */
export function intOption(name: string, value: string | boolean | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`)
  return n
}

/** One of the allowed words, or the fallback when it was not given. */
export function oneOf<T extends string>(what: string, value: string | boolean | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got "${value}"`)
  return value as T
}

/**
 * Parses a bench tool's arguments strictly. `--help` prints the usage and exits 0; an unknown option, a missing
 * value or a UsageError thrown by `check` prints the reason and the usage and exits 2.
 */
export function parseCli<R>(
  usage: string,
  options: Options,
  check: (parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] }) => R,
  argv: string[] = process.argv.slice(2),
): R {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
    const values = parsed.values as Record<string, string | boolean | undefined>
    if (values.help) {
      console.log(usage)
      process.exit(0)
    }
    return check({ values, positionals: parsed.positionals })
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError && 'code' in err)) throw err
    console.error(`${err.message}\n\n${usage}`)
    process.exit(2)
  }
}

/**
 * The JSON job file an internal load process is started with (`bun bench/<tool>.ts <job.json>`); anything else
 * prints what the tool is for and exits 2.
 */
export async function readJob(argv: string[], startedBy: string): Promise<unknown> {
  const [file, ...rest] = argv
  const usage = `This tool is started by ${startedBy} with one argument, the path of a JSON job file it wrote.`
  if (!file || rest.length || file.startsWith('-')) {
    console.error(usage)
    process.exit(2)
  }
  try {
    return await Bun.file(file).json()
  } catch (err) {
    console.error(`cannot read the job file ${file}: ${(err as Error).message}\n${usage}`)
    process.exit(2)
  }
}
