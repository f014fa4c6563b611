import { StoreError } from '../store/types.ts'
import { VERSION } from '../version.ts'
import { clientCommands } from './clients.ts'
import { CommandError, parseCommandArgs, UsageError, type Command } from './args.ts'
import { commandHelp, usage } from './usage.ts'
import { type CliIo } from './io.ts'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../util/exit_codes.ts'
import { janitorCommand } from './janitor.ts'
import { jwkCommands } from './jwk.ts'
import { migrateSqlCommand, migrateStatusCommand } from './migrate.ts'
import { serveCommand } from './serve.ts'
import { tokenCommands } from './token.ts'

const versionCommand: Command = {
  path: ['version'],
  args: '',
  positionals: { min: 0, max: 0 },
  summary: 'Print the version.',
  flags: {},
  async run(_args, io) {
    io.out(`gatehouse ${VERSION}\n`)
    return EXIT_OK
  },
}

const helpCommand: Command = {
  path: ['help'],
  args: '[config|<command>]',
  positionals: { min: 0, max: 3 },
  summary: 'Show usage, a command’s flags, or every configuration key.',
  flags: {},
  async run(args, io) {
    const words = args.positionals
    if (words.length === 0) io.out(usage(COMMANDS))
    else if (words.length === 1 && words[0] === 'config') io.out((await import('./help.ts')).configHelp())
    else {
      const found = find(words)
      if (!found || found.rest.length) throw new UsageError(`unknown command "${words.join(' ')}"`)
      io.out(commandHelp(found.command))
    }
    return EXIT_OK
  },
}

/** Every command, in the order `gatehouse help` lists them. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  migrateSqlCommand,
  migrateStatusCommand,
  janitorCommand,
  ...clientCommands,
  ...jwkCommands,
  ...tokenCommands,
  versionCommand,
  helpCommand,
]

function find(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; length: number } | undefined
  for (const command of COMMANDS) {
    for (const path of [command.path, ...(command.aliases ?? [])]) {
      const matches = path.every((word, i) => argv[i] === word)
      if (matches && path.length > (best?.length ?? 0)) best = { command, length: path.length }
    }
  }
  return best && { command: best.command, rest: argv.slice(best.length) }
}

const wantsHelp = (rest: readonly string[]) => {
  const end = rest.indexOf('--')
  return (end === -1 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h')
}

/** Runs the command `argv` names and returns the exit code; nothing thrown escapes as a stack trace. */
export async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0) {
    io.err(usage(COMMANDS))
    return EXIT_USAGE
  }
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    io.out(usage(COMMANDS))
    return EXIT_OK
  }
  if (argv[0] === '--version') return versionCommand.run(parseCommandArgs([], versionCommand), io)
  const found = find(argv)
  if (!found) {
    const group = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === argv[0]).map((c) => c.path[1])
    const hint = group.length ? `"${argv[0]}" expects one of: ${group.join(', ')}` : 'unknown command'
    io.err(`gatehouse: ${hint} (got "${argv.join(' ')}")\n\n${usage(COMMANDS)}`)
    return EXIT_USAGE
  }
  const { command, rest } = found
  if (wantsHelp(rest)) {
    io.out(commandHelp(command))
    return EXIT_OK
  }
  try {
    return await command.run(parseCommandArgs(rest, command), io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`gatehouse ${command.path.join(' ')}: ${err.message}\n\n${commandHelp(command)}`)
      return EXIT_USAGE
    }
    // ConfigError is told by its code so that this module does not load the config schema.
    const configError = err instanceof Error && (err as { code?: unknown }).code === 'ERR_CONFIG_INVALID'
    if (configError || err instanceof CommandError || err instanceof StoreError) {
      io.err(`gatehouse: ${err.message}\n`)
      return EXIT_FAILURE
    }
    io.err(`gatehouse: unexpected error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`)
    return EXIT_FAILURE
  }
}
