import { CommandError, UsageError, type Args, type Command, type Flags } from './args.ts'
import { call, endpoint, ENDPOINT_FLAG, segment } from './http.ts'
import { type CliIo } from './io.ts'
import { EXIT_FAILURE, EXIT_OK } from '../util/exit_codes.ts'
import { FORMAT_FLAG, formatOf, joinList, print, renderRecord, renderTable, text } from './output.ts'

type Client = Record<string, unknown>

const COMMON: Flags = { ...ENDPOINT_FLAG, format: FORMAT_FLAG }

const CLIENT_FLAGS: Flags = {
  name: { type: 'string', value: '<name>', description: 'Client name (client_name).' },
  'grant-type': { type: 'string', multiple: true, value: '<type>', description: 'Allowed grant type.' },
  'response-type': { type: 'string', multiple: true, value: '<type>', description: 'Allowed response type.' },
  scope: { type: 'string', multiple: true, value: '<scope>', description: 'Allowed scope.' },
  'redirect-uri': { type: 'string', multiple: true, value: '<uri>', description: 'Allowed redirect URI.' },
  audience: { type: 'string', multiple: true, value: '<aud>', description: 'Allowed audience.' },
  'token-endpoint-auth-method': {
    type: 'string',
    value: '<method>',
    description: 'client_secret_basic (default), client_secret_post, private_key_jwt or none.',
  },
  secret: { type: 'string', value: '<secret>', description: 'Client secret; generated when absent.' },
  owner: { type: 'string', value: '<owner>', description: 'Owner of the client.' },
  'skip-consent': { type: 'boolean', description: 'Let the consent app skip the consent screen.' },
  'access-token-strategy': { type: 'string', value: '<strategy>', description: 'opaque or jwt for this client.' },
  'post-logout-callback': {
    type: 'string',
    multiple: true,
    value: '<uri>',
    description: 'Allowed post-logout redirect URI.',
  },
  metadata: { type: 'string', value: '<json>', description: 'Client metadata as a JSON object.' },
  ...COMMON,
}

/** The oAuth2Client body the flags describe (Hydra's CLI builds create and update bodies alike). */
function clientBody(args: Args): Client {
  const body: Client = {}
  const set = (key: string, value: unknown) => {
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) body[key] = value
  }
  set('client_name', args.string('name'))
  set('grant_types', args.list('grant-type'))
  set('response_types', args.list('response-type'))
  const scopes = args.list('scope').flatMap((s) => s.split(' ')).filter(Boolean)
  if (scopes.length) body.scope = scopes.join(' ')
  set('redirect_uris', args.list('redirect-uri'))
  set('audience', args.list('audience'))
  set('token_endpoint_auth_method', args.string('token-endpoint-auth-method'))
  set('client_secret', args.string('secret'))
  set('owner', args.string('owner'))
  if (args.boolean('skip-consent')) body.skip_consent = true
  set('access_token_strategy', args.string('access-token-strategy'))
  set('post_logout_redirect_uris', args.list('post-logout-callback'))
  const metadata = args.string('metadata')
  if (metadata !== undefined) {
    let parsed: unknown
    try {
      parsed = JSON.parse(metadata)
    } catch {
      throw new UsageError('--metadata must be a JSON object')
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError('--metadata must be a JSON object')
    }
    body.metadata = parsed
  }
  return body
}

const COLUMNS: [string, (c: Client) => string][] = [
  ['CLIENT ID', (c) => text(c.client_id)],
  ['CLIENT SECRET', (c) => text(c.client_secret)],
  ['CLIENT NAME', (c) => text(c.client_name)],
  ['GRANT TYPES', (c) => joinList(c.grant_types)],
  ['RESPONSE TYPES', (c) => joinList(c.response_types)],
  ['SCOPE', (c) => text(c.scope)],
  ['AUDIENCE', (c) => joinList(c.audience)],
  ['REDIRECT URIS', (c) => joinList(c.redirect_uris)],
]

const LIST_COLUMNS = COLUMNS.filter(([name]) => name !== 'CLIENT SECRET')

function printClients(io: CliIo, args: Args, clients: Client[], json: unknown) {
  print(io, formatOf(args.string('format')), json, () =>
    clients.length === 1
      ? renderRecord(COLUMNS.map(([name, get]) => [name, get(clients[0]!)]))
      : renderTable(
          LIST_COLUMNS.map(([name]) => name),
          clients.map((c) => LIST_COLUMNS.map(([, get]) => get(c))),
        ),
  )
}

/** Runs `fn` for every id, reporting failures without stopping; exit 1 when any failed. */
async function eachId(io: CliIo, ids: string[], fn: (id: string) => Promise<void>): Promise<number> {
  let failed = false
  for (const id of ids) {
    try {
      await fn(id)
    } catch (err) {
      if (!(err instanceof CommandError)) throw err
      io.err(`gatehouse: ${id}: ${err.message}\n`)
      failed = true
    }
  }
  return failed ? EXIT_FAILURE : EXIT_OK
}

const nextPageToken = (link: string | null) => {
  const next = link?.split(',').find((part) => /rel="?next"?/.test(part))
  const url = next?.match(/<([^>]+)>/)?.[1]
  return url ? (new URL(url, 'http://x').searchParams.get('page_token') ?? undefined) : undefined
}

export const clientCommands: Command[] = [
  {
    path: ['create', 'client'],
    aliases: [['create', 'oauth2-client']],
    args: '',
    positionals: { min: 0, max: 0 },
    summary: 'Create an OAuth 2.0 client (admin API); a generated secret is shown once.',
    flags: CLIENT_FLAGS,
    async run(args, io) {
      const { body } = await call(endpoint(args, io, 'admin'), 'POST', '/admin/clients', { json: clientBody(args) })
      printClients(io, args, [body as Client], body)
      return EXIT_OK
    },
  },
  {
    path: ['get', 'client'],
    aliases: [['get', 'oauth2-client']],
    args: '<id…>',
    positionals: { min: 1, max: Infinity },
    summary: 'Show OAuth 2.0 clients.',
    flags: COMMON,
    async run(args, io) {
      const ep = endpoint(args, io, 'admin')
      const clients: Client[] = []
      for (const id of args.positionals) {
        clients.push((await call(ep, 'GET', `/admin/clients/${segment(id)}`)).body as Client)
      }
      printClients(io, args, clients, clients.length === 1 ? clients[0] : clients)
      return EXIT_OK
    },
  },
  {
    path: ['list', 'clients'],
    aliases: [['list', 'oauth2-clients']],
    args: '',
    positionals: { min: 0, max: 0 },
    summary: 'List OAuth 2.0 clients, one page at a time.',
    flags: {
      'page-size': { type: 'string', value: '<n>', description: 'Clients per page (default 250 on the server).' },
      'page-token': { type: 'string', value: '<token>', description: 'Token of the page to show.' },
      ...COMMON,
    },
    async run(args, io) {
      const query = new URLSearchParams()
      if (args.string('page-size') !== undefined) query.set('page_size', String(args.integer('page-size', 250)))
      const token = args.string('page-token')
      if (token) query.set('page_token', token)
      const path = `/admin/clients${query.size ? `?${query}` : ''}`
      const reply = await call(endpoint(args, io, 'admin'), 'GET', path)
      const items = Array.isArray(reply.body) ? (reply.body as Client[]) : []
      const next = nextPageToken(reply.headers.get('link'))
      print(io, formatOf(args.string('format')), { items, next_page_token: next ?? null }, () => {
        const table = renderTable(
          LIST_COLUMNS.map(([name]) => name),
          items.map((c) => LIST_COLUMNS.map(([, get]) => get(c))),
        )
        return next ? `${table}\nNEXT PAGE TOKEN  ${next}\n` : table
      })
      return EXIT_OK
    },
  },
  {
    path: ['update', 'client'],
    aliases: [['update', 'oauth2-client']],
    args: '<id>',
    positionals: { min: 1, max: 1 },
    summary: 'Replace an OAuth 2.0 client with what the flags describe (fields not given are reset).',
    flags: CLIENT_FLAGS,
    async run(args, io) {
      const id = args.positionals[0]!
      const json = { ...clientBody(args), client_id: id }
      const { body } = await call(endpoint(args, io, 'admin'), 'PUT', `/admin/clients/${segment(id)}`, { json })
      printClients(io, args, [body as Client], body)
      return EXIT_OK
    },
  },
  {
    path: ['delete', 'client'],
    aliases: [['delete', 'oauth2-client']],
    args: '<id…>',
    positionals: { min: 1, max: Infinity },
    summary: 'Delete OAuth 2.0 clients and their tokens.',
    flags: { ...ENDPOINT_FLAG },
    run(args, io) {
      const ep = endpoint(args, io, 'admin')
      return eachId(io, args.positionals, async (id) => {
        await call(ep, 'DELETE', `/admin/clients/${segment(id)}`)
        io.out(`${id}\n`)
      })
    },
  },
]
