import { UsageError, type Args, type Command } from './args.ts'
import { call, endpoint, ENDPOINT_FLAG } from './http.ts'
import { EXIT_OK } from '../util/exit_codes.ts'
import { FORMAT_FLAG, formatOf, joinList, print, printTokens, renderRecord, text } from './output.ts'
import { performDeviceCodeCommand } from './device_code.ts'

const CREDENTIAL_FLAGS = {
  'client-id': { type: 'string', value: '<id>', description: 'Client ID.' },
  'client-secret': { type: 'string', value: '<secret>', description: 'Client secret.' },
} as const

function credentials(args: Args) {
  const id = args.string('client-id')
  const secret = args.string('client-secret')
  if (!id || secret === undefined) throw new UsageError('--client-id and --client-secret are required')
  return { id, secret }
}

const spaced = (values: string[]) => {
  const joined = values.flatMap((v) => v.split(' ')).filter(Boolean).join(' ')
  return joined || undefined
}

const time = (seconds: unknown) => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : '')

export const tokenCommands: Command[] = [
  {
    path: ['perform', 'client-credentials'],
    args: '',
    positionals: { min: 0, max: 0 },
    summary: 'Get an access token with the client_credentials grant (public API).',
    flags: {
      ...CREDENTIAL_FLAGS,
      scope: { type: 'string', multiple: true, value: '<scope>', description: 'Scope to request.' },
      audience: { type: 'string', multiple: true, value: '<aud>', description: 'Audience to request.' },
      ...ENDPOINT_FLAG,
      format: FORMAT_FLAG,
    },
    async run(args, io) {
      const form = {
        grant_type: 'client_credentials',
        scope: spaced(args.list('scope')),
        audience: spaced(args.list('audience')),
      }
      const ep = endpoint(args, io, 'public')
      const { body } = await call(ep, 'POST', '/oauth2/token', { form, basic: credentials(args) })
      printTokens(io, formatOf(args.string('format')), body)
      return EXIT_OK
    },
  },
  performDeviceCodeCommand,
  {
    path: ['introspect', 'token'],
    args: '<token>',
    positionals: { min: 1, max: 1 },
    summary: 'Introspect a token (RFC 7662, admin API).',
    flags: {
      scope: { type: 'string', multiple: true, value: '<scope>', description: 'Scope the token must carry.' },
      ...ENDPOINT_FLAG,
      format: FORMAT_FLAG,
    },
    async run(args, io) {
      const form = { token: args.positionals[0]!, scope: spaced(args.list('scope')) }
      const { body } = await call(endpoint(args, io, 'admin'), 'POST', '/admin/oauth2/introspect', { form })
      const t = (body ?? {}) as Record<string, unknown>
      print(io, formatOf(args.string('format')), body, () =>
        renderRecord([
          ['ACTIVE', text(t.active)],
          ['SUBJECT', text(t.sub)],
          ['CLIENT ID', text(t.client_id)],
          ['SCOPE', text(t.scope)],
          ['AUDIENCE', joinList(t.aud)],
          ['EXPIRY', time(t.exp)],
          ['TOKEN USE', text(t.token_use)],
        ]),
      )
      return EXIT_OK
    },
  },
  {
    path: ['revoke', 'token'],
    args: '<token>',
    positionals: { min: 1, max: 1 },
    summary: 'Revoke an access or refresh token (RFC 7009, public API).',
    flags: { ...CREDENTIAL_FLAGS, ...ENDPOINT_FLAG },
    async run(args, io) {
      const form = { token: args.positionals[0]! }
      await call(endpoint(args, io, 'public'), 'POST', '/oauth2/revoke', { form, basic: credentials(args) })
      io.out('Token revoked.\n')
      return EXIT_OK
    },
  },
]
