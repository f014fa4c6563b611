import type { Command, FlagSpec } from './args.ts'
import { renderRows } from './output.ts'

const name = (c: Command) => ['gatehouse', ...c.path, c.args].filter(Boolean).join(' ')

export function usage(commands: readonly Command[]): string {
  const rows = commands.map((c) => [`  ${name(c)}`, c.summary])
  return (
    'Gatehouse: an OAuth 2.0 and OpenID Connect provider, wire-compatible with Ory Hydra.\n\n' +
    'Usage: gatehouse <command> [arguments] [flags]\n\nCommands:\n' +
    renderRows(rows) +
    '\nRun "gatehouse help <command>" for its flags and "gatehouse help config" for every configuration key.\n'
  )
}

function flagLine(flag: string, spec: FlagSpec): [string, string] {
  const short = spec.short ? `-${spec.short}, ` : '    '
  const value = spec.type === 'string' ? ` ${spec.value ?? '<value>'}` : ''
  const repeat = spec.multiple ? ' (repeatable)' : ''
  return [`  ${short}--${flag}${value}`, spec.description + repeat]
}

export function commandHelp(command: Command): string {
  const flags = Object.entries(command.flags).map(([f, s]) => flagLine(f, s))
  flags.push(['  -h, --help', 'Show this help.'])
  const aliases = (command.aliases ?? []).map((a) => `gatehouse ${a.join(' ')}`)
  return (
    `Usage: ${name(command)} [flags]\n\n${command.summary}\n` +
    (aliases.length ? `\nAliases: ${aliases.join(', ')}\n` : '') +
    '\nFlags:\n' +
    renderRows(flags)
  )
}
