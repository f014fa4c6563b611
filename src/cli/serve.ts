import { UsageError, type Command } from './args.ts'
import { CONFIG_FLAG, readConfigFile } from './source.ts'

const TARGETS: Record<string, ('public' | 'admin')[]> = { all: ['public', 'admin'], public: ['public'], admin: ['admin'] }

export const serveCommand: Command = {
  path: ['serve'],
  args: 'all|public|admin',
  positionals: { min: 1, max: 1 },
  summary: 'Run the public (4444) and admin (4445) APIs, or one of them.',
  flags: {
    dev: {
      type: 'boolean',
      description: 'Development mode: http issuer allowed, generated secret, SQLite migrated on start.',
    },
    ...CONFIG_FLAG,
  },
  async run(args, io) {
    const apis = TARGETS[args.positionals[0]!]
    if (!apis) throw new UsageError(`expected all, public or admin, got "${args.positionals[0]}"`)
    const path = args.string('config')
    const file = path === undefined ? undefined : await readConfigFile(path)
    // The server and everything it builds load only when a server is asked for.
    const { runServer } = await import('../server.ts')
    return runServer({ apis, file, dev: args.boolean('dev') }, io)
  },
}
