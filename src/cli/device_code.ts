import { CommandError, UsageError, type Args, type Command } from './args.ts'
import { call, endpoint, ENDPOINT_FLAG, failureText, type CallOptions, type Endpoint, type Reply } from './http.ts'
import type { CliIo } from './io.ts'
import { DEVICE_AUTHORIZATION_PATH, DEVICE_CODE_GRANT, SLOW_DOWN_MS } from '../oauth2/device_code.ts'
import { EXIT_OK } from '../util/exit_codes.ts'
import { FORMAT_FLAG, formatOf, printTokens } from './output.ts'

/** RFC 8628 §3.5: without an `interval`, a device polls every 5 seconds. */
const DEFAULT_INTERVAL_S = 5

/** The part of an RFC 8628 §3.2 device authorization response that the polling needs. */
export interface DeviceCodes {
  device_code: string
  expires_in: number
  interval?: number
}

export interface PollDeps {
  /** Sends one token request with these form parameters (client authentication added). */
  token(form: Record<string, string>): Promise<Reply>
  sleep(ms: number): Promise<void>
  /** Epoch milliseconds. */
  now(): number
}

const errorOf = (reply: Reply) => ((reply.body ?? {}) as { error?: unknown }).error

/**
 * RFC 8628 §3.4, §3.5: polls the token endpoint until the user finished, waiting `interval` seconds before each
 * request (5 more from every slow_down on), and returns the token response. authorization_pending waits on; any
 * other error, or the device code's expiry, ends it.
 */
export async function pollDeviceToken(deps: PollDeps, codes: DeviceCodes): Promise<Record<string, unknown>> {
  let interval = (codes.interval ?? DEFAULT_INTERVAL_S) * 1000
  const deadline = deps.now() + codes.expires_in * 1000
  for (;;) {
    if (deps.now() + interval > deadline) throw new CommandError('the device code expired before the user finished signing in')
    await deps.sleep(interval)
    const reply = await deps.token({ grant_type: DEVICE_CODE_GRANT, device_code: codes.device_code })
    if (reply.status === 200) return (reply.body ?? {}) as Record<string, unknown>
    const error = errorOf(reply)
    if (error === 'slow_down') interval += SLOW_DOWN_MS
    else if (error !== 'authorization_pending') throw new CommandError(failureText(reply.body, reply.status))
  }
}

/** Which form of client authentication the client takes; a confidential client is tried with Basic first. */
type Auth = 'none' | 'basic' | 'post'

function authenticated(form: Record<string, string | undefined>, auth: Auth, id: string, secret: string): CallOptions {
  if (auth === 'basic') return { form, basic: { id, secret }, errors: 'return' }
  return { form: { ...form, client_id: id, ...(auth === 'post' ? { client_secret: secret } : {}) }, errors: 'return' }
}

/**
 * Sends a request with the client's credentials; a confidential client is tried with client_secret_basic and, when
 * refused as invalid_client, with client_secret_post (as Go's oauth2 package does). Returns the answer and the
 * authentication that worked.
 */
async function send(ep: Endpoint, form: Record<string, string | undefined>, auth: Auth, id: string, secret: string): Promise<{ reply: Reply; auth: Auth }> {
  const reply = await call(ep, 'POST', '', authenticated(form, auth, id, secret))
  if (auth === 'basic' && reply.status === 401 && errorOf(reply) === 'invalid_client') {
    return { reply: await call(ep, 'POST', '', authenticated(form, 'post', id, secret)), auth: 'post' }
  }
  return { reply, auth }
}

function at(args: Args, io: CliIo, flag: string, path: string): Endpoint {
  const ep = endpoint(args, io, 'public')
  const url = args.string(flag)
  if (url === undefined) return { ...ep, base: `${ep.base}${path}` }
  if (!URL.canParse(url)) throw new UsageError(`--${flag} must be a URL, got "${url}"`)
  return { ...ep, base: url }
}

const spaced = (values: string[]) => values.flatMap((v) => v.split(' ')).filter(Boolean).join(' ')

function deviceCodesOf(body: unknown): DeviceCodes & { user_code: string; verification_uri: string; verification_uri_complete?: string } {
  const b = (body ?? {}) as Record<string, unknown>
  const ok =
    typeof b.device_code === 'string' &&
    typeof b.user_code === 'string' &&
    typeof b.verification_uri === 'string' &&
    typeof b.expires_in === 'number' &&
    (b.interval === undefined || typeof b.interval === 'number')
  if (!ok) throw new CommandError('the device authorization response is not one of RFC 8628 §3.2')
  return b as unknown as ReturnType<typeof deviceCodesOf>
}

export const performDeviceCodeCommand: Command = {
  path: ['perform', 'device-code'],
  args: '',
  positionals: { min: 0, max: 0 },
  summary: 'Sign a device in with the device authorization grant (RFC 8628): show the code, wait, print the tokens.',
  flags: {
    'client-id': { type: 'string', value: '<id>', description: 'Client ID (default: OAUTH2_CLIENT_ID).' },
    'client-secret': {
      type: 'string',
      value: '<secret>',
      description: 'Client secret of a confidential client (default: OAUTH2_CLIENT_SECRET); none for a public one.',
    },
    scope: { type: 'string', multiple: true, value: '<scope>', description: 'Scope to request (default: offline, openid).' },
    audience: { type: 'string', multiple: true, value: '<aud>', description: 'Audience to request.' },
    'device-auth-url': { type: 'string', value: '<url>', description: 'Device authorization endpoint (default: the endpoint’s).' },
    'token-url': { type: 'string', value: '<url>', description: 'Token endpoint (default: the endpoint’s).' },
    ...ENDPOINT_FLAG,
    format: FORMAT_FLAG,
  },
  async run(args, io) {
    const format = formatOf(args.string('format'))
    const id = args.string('client-id') || io.env.OAUTH2_CLIENT_ID
    if (!id) throw new UsageError('--client-id is required')
    const secret = args.string('client-secret') ?? io.env.OAUTH2_CLIENT_SECRET ?? ''
    const scopes = args.list('scope')
    const form = {
      scope: spaced(scopes.length ? scopes : ['offline', 'openid']),
      audience: spaced(args.list('audience')) || undefined,
    }
    const started = await send(at(args, io, 'device-auth-url', DEVICE_AUTHORIZATION_PATH), form, secret ? 'basic' : 'none', id, secret)
    if (started.reply.status !== 200) throw new CommandError(failureText(started.reply.body, started.reply.status))
    const codes = deviceCodesOf(started.reply.body)
    io.err(
      `To sign in, open this URL in a browser:\n\n  ${codes.verification_uri_complete ?? codes.verification_uri}\n\n` +
        `or go to ${codes.verification_uri} and enter the code ${codes.user_code}\n\n`,
    )
    const tokenEndpoint = at(args, io, 'token-url', '/oauth2/token')
    const tokens = await pollDeviceToken(
      {
        token: async (params) => (await send(tokenEndpoint, params, started.auth, id, secret)).reply,
        sleep: (ms) => Bun.sleep(ms),
        now: () => Date.now(),
      },
      codes,
    )
    io.err('Signed in.\n')
    printTokens(io, format, tokens)
    return EXIT_OK
  },
}
