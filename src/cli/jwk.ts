import type { Args, Command } from './args.ts'
import { call, endpoint, ENDPOINT_FLAG, segment } from './http.ts'
import { type CliIo } from './io.ts'
import { EXIT_OK } from '../util/exit_codes.ts'
import { FORMAT_FLAG, formatOf, print, renderTable, text } from './output.ts'

type Jwk = Record<string, unknown> & { kid?: string }
type Entry = { set: string; key: Jwk }

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']

const PUBLIC_FLAG = {
  public: { type: 'boolean', description: 'Show only the public parts of the keys.' },
} as const

function publicOnly(key: Jwk): Jwk {
  return Object.fromEntries(Object.entries(key).filter(([k]) => !PRIVATE_MEMBERS.includes(k)))
}

function printKeys(io: CliIo, args: Args, entries: Entry[]) {
  const keys = entries.map((e) => (args.boolean('public') ? publicOnly(e.key) : e.key))
  print(io, formatOf(args.string('format')), { keys }, () =>
    renderTable(
      ['SET ID', 'KEY ID', 'ALGORITHM', 'USE'],
      entries.map((e) => [e.set, text(e.key.kid), text(e.key.alg), text(e.key.use)]),
    ),
  )
}

const keysOf = (set: string, body: unknown): Entry[] =>
  (((body as { keys?: Jwk[] } | undefined)?.keys ?? []) as Jwk[]).map((key) => ({ set, key }))

export const jwkCommands: Command[] = [
  {
    path: ['create', 'jwk'],
    aliases: [['create', 'jwks']],
    args: '<set> [kid]',
    positionals: { min: 1, max: 2 },
    summary: 'Generate a key into a JSON Web Key set (admin API).',
    flags: {
      alg: { type: 'string', value: '<alg>', description: 'Algorithm: RS256 (default), ES256, ES512 or EdDSA.' },
      use: { type: 'string', value: '<use>', description: 'sig (default) or enc.' },
      ...PUBLIC_FLAG,
      ...ENDPOINT_FLAG,
      format: FORMAT_FLAG,
    },
    async run(args, io) {
      const [set, kid = ''] = args.positionals as [string, string?]
      const alg = args.string('alg') ?? 'RS256'
      const use = args.string('use') ?? 'sig'
      const ep = endpoint(args, io, 'admin')
      const { body } = await call(ep, 'POST', `/admin/keys/${segment(set)}`, { json: { alg, use, kid } })
      printKeys(io, args, keysOf(set, body))
      return EXIT_OK
    },
  },
  {
    path: ['get', 'jwk'],
    aliases: [['get', 'jwks']],
    args: '<set…>',
    positionals: { min: 1, max: Infinity },
    summary: 'Show JSON Web Key sets, private parts included unless --public.',
    flags: { ...PUBLIC_FLAG, ...ENDPOINT_FLAG, format: FORMAT_FLAG },
    async run(args, io) {
      const ep = endpoint(args, io, 'admin')
      const entries: Entry[] = []
      for (const set of args.positionals) {
        entries.push(...keysOf(set, (await call(ep, 'GET', `/admin/keys/${segment(set)}`)).body))
      }
      printKeys(io, args, entries)
      return EXIT_OK
    },
  },
  {
    path: ['delete', 'jwk'],
    aliases: [['delete', 'jwks']],
    args: '<set…>',
    positionals: { min: 1, max: Infinity },
    summary: 'Delete JSON Web Key sets.',
    flags: { ...ENDPOINT_FLAG },
    async run(args, io) {
      const ep = endpoint(args, io, 'admin')
      for (const set of args.positionals) {
        await call(ep, 'DELETE', `/admin/keys/${segment(set)}`)
        io.out(`${set}\n`)
      }
      return EXIT_OK
    },
  },
]
