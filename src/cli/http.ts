import { CommandError, type Args, type Flags } from './args.ts'
import type { CliIo } from './io.ts'

export const ENDPOINT_FLAG = {
  endpoint: {
    type: 'string',
    short: 'e',
    value: '<url>',
    description: 'Gatehouse URL (default: ORY_SDK_URL, else http://127.0.0.1:4445 for admin, :4444 for public commands).',
  },
} as const satisfies Flags

const DEFAULTS = { admin: 'http://127.0.0.1:4445', public: 'http://127.0.0.1:4444' }

export interface Endpoint {
  base: string
  fetch: typeof fetch
}

export function endpoint(args: Args, io: CliIo, api: 'admin' | 'public'): Endpoint {
  const base = args.string('endpoint') || io.env.ORY_SDK_URL || DEFAULTS[api]
  try {
    new URL(base)
  } catch {
    throw new CommandError(`not a valid endpoint URL: ${base}`)
  }
  return { base: base.replace(/\/+$/, ''), fetch: io.fetch }
}

export interface CallOptions {
  json?: unknown
  form?: Record<string, string | undefined>
  /** Client credentials sent with HTTP Basic (RFC 6749 §2.3.1: each part form-encoded first). */
  basic?: { id: string; secret: string }
  /** Return a non-2xx answer (parsed like any other) instead of throwing its error_description. */
  errors?: 'return'
}

export interface Reply {
  status: number
  headers: Headers
  body: unknown
}

/** A failed answer in one line: its status and its error_description (or message, or error). */
export function failureText(body: unknown, status: number): string {
  const b = (body ?? {}) as Record<string, unknown>
  const text = [b.error_description, b.message, b.error].find((v) => typeof v === 'string' && v)
  return `the server answered ${status}: ${typeof text === 'string' ? text : 'no error description'}`
}

/** One request to Gatehouse; a non-2xx answer throws its error_description unless `errors: 'return'`. */
export async function call(ep: Endpoint, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/json' }
  let body: string | undefined
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(options.form)) if (v !== undefined && v !== '') params.set(k, v)
    body = params.toString()
  }
  if (options.basic) {
    const { id, secret } = options.basic
    headers.authorization = `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`
  }
  let response: Response
  try {
    response = await ep.fetch(`${ep.base}${path}`, { method, headers, body })
  } catch (err) {
    throw new CommandError(`cannot reach ${ep.base}: ${(err as Error).message}`)
  }
  const text = await response.text()
  let parsed: unknown = undefined
  if (text) {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = text
    }
  }
  if (!response.ok && options.errors !== 'return') throw new CommandError(failureText(parsed, response.status))
  return { status: response.status, headers: response.headers, body: parsed }
}

export const segment = (s: string) => encodeURIComponent(s)
