import { parseArgs } from 'node:util'
import type { CliIo } from './io.ts'

/** Wrong usage: the dispatcher prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** An expected failure (server error, missing file, …): the dispatcher prints the message and exits 1. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CommandError'
  }
}

export interface FlagSpec {
  type: 'string' | 'boolean'
  short?: string
  /** Repeatable; values may also be comma-separated. */
  multiple?: boolean
  /** Placeholder shown in help, e.g. `<url>`. */
  value?: string
  description: string
}

export type Flags = Record<string, FlagSpec>

/** Parsed command-line arguments with typed accessors. */
export interface Args {
  readonly positionals: string[]
  string(name: string): string | undefined
  boolean(name: string): boolean
  /** Every value of a repeatable flag, comma-separated values split, empty values dropped. */
  list(name: string): string[]
  /** A positive integer, or `fallback` when the flag is absent. */
  integer(name: string, fallback: number): number
}

export interface Command {
  /** The words that select the command, e.g. `['migrate', 'sql']`. */
  path: string[]
  aliases?: string[][]
  /** Positional arguments as shown in usage, e.g. `<id…>`. */
  args: string
  positionals: { min: number; max: number }
  summary: string
  flags: Flags
  run(args: Args, io: CliIo): Promise<number>
}

function cleanMessage(err: unknown): string {
  const message = (err as Error).message ?? String(err)
  return message.replace(/\. To specify a positional argument.*$/s, '')
}

/**
 * Joins a string flag with a following value that starts with `-` (`--page-token -x9…` → `--page-token=-x9…`):
 * generated secrets, tokens and page tokens are base64url and may start with `-`, which parseArgs would
 * otherwise refuse as an ambiguous value.
 */
function bindDashValues(argv: readonly string[], flags: Flags): string[] {
  const takesValue = new Set<string>()
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.type !== 'string') continue
    takesValue.add(`--${name}`)
    if (spec.short) takesValue.add(`-${spec.short}`)
  }
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const next = argv[i + 1]
    if (arg === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (takesValue.has(arg) && next !== undefined && next.startsWith('-') && next !== '--') {
      out.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`)
      i++
    } else {
      out.push(arg)
    }
  }
  return out
}

export function parseCommandArgs(argv: readonly string[], command: Command): Args {
  let parsed: ReturnType<typeof parseArgs>
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}
    for (const [name, spec] of Object.entries(command.flags)) {
      options[name] = { type: spec.type, multiple: spec.multiple ?? false, ...(spec.short ? { short: spec.short } : {}) }
    }
    parsed = parseArgs({ args: bindDashValues(argv, command.flags), options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError(cleanMessage(err))
  }
  const { values, positionals } = parsed
  const { min, max } = command.positionals
  if (positionals.length < min) throw new UsageError(`missing argument: ${command.args}`)
  if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max]}"`)
  const raw = (name: string) => (values as Record<string, unknown>)[name]
  return {
    positionals,
    string: (name) => {
      const v = raw(name)
      return typeof v === 'string' ? v : undefined
    },
    boolean: (name) => raw(name) === true,
    list: (name) => {
      const v = raw(name)
      const items = Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []
      return items.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)
    },
    integer: (name, fallback) => {
      const v = raw(name)
      if (v === undefined) return fallback
      if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < 1) {
        throw new UsageError(`--${name} must be a positive integer, got "${String(v)}"`)
      }
      return Number(v)
    },
  }
}
