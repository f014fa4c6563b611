import { systemClock } from '../util/clock.ts'
import { parseDuration } from '../util/duration.ts'
import { CommandError, UsageError, type Command } from './args.ts'
import { EXIT_OK } from '../util/exit_codes.ts'
import { FORMAT_FLAG, formatOf, print, renderTable } from './output.ts'
import { DSN_FLAGS, resolveDsn } from './source.ts'

function duration(value: string | undefined): number {
  if (value === undefined) return 0
  try {
    const ms = parseDuration(value)
    if (ms >= 0) return ms
  } catch {
    // reported below
  }
  throw new UsageError(`--keep-if-younger must be a duration such as 1h or 30m, got "${value}"`)
}

export const janitorCommand: Command = {
  path: ['janitor'],
  args: '[DSN]',
  positionals: { min: 0, max: 1 },
  summary: 'Delete expired tokens, device codes, flows, login sessions and trust relationships in batches.',
  flags: {
    ...DSN_FLAGS,
    tokens: { type: 'boolean', description: 'Clean expired tokens, codes, device codes and assertion ids.' },
    requests: { type: 'boolean', description: 'Clean expired flows, login sessions and device challenge counters.' },
    grants: { type: 'boolean', description: 'Clean expired trust relationships of the jwt-bearer grant.' },
    limit: { type: 'string', value: '<n>', description: 'Most rows to delete per table (default 10000).' },
    'batch-size': { type: 'string', value: '<n>', description: 'Rows per DELETE statement (default 100).' },
    'keep-if-younger': {
      type: 'string',
      value: '<duration>',
      description: 'Keep rows that expired less than this long ago, e.g. 1h.',
    },
    format: FORMAT_FLAG,
  },
  async run(args, io) {
    const format = formatOf(args.string('format'))
    const options = {
      tokens: args.boolean('tokens'),
      requests: args.boolean('requests'),
      grants: args.boolean('grants'),
      limit: args.integer('limit', 10_000),
      batchSize: args.integer('batch-size', 100),
      keepIfYounger: duration(args.string('keep-if-younger')),
    }
    const dsn = await resolveDsn(args, io.env)
    const [{ runJanitor }, { pendingMigrations }, { openStore }] = await Promise.all([
      import('../janitor.ts'),
      import('../store/migrate.ts'),
      import('../store/open.ts'),
    ])
    const store = await openStore(dsn, { max: 1 })
    try {
      const pending = await pendingMigrations(store.driver)
      if (pending.length) {
        throw new CommandError('the database has pending migrations; run `gatehouse migrate sql` first')
      }
      const results = await runJanitor(store, systemClock, options)
      print(io, format, results, () =>
        renderTable(['TABLE', 'DELETED'], results.map((r) => [r.table, String(r.deleted)])),
      )
      return EXIT_OK
    } finally {
      await store.close()
    }
  },
}
