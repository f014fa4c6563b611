import { InvalidRequest, PayloadTooLarge } from '../oauth2/errors.ts'
import { duplicateMemberName } from './json_strict.ts'

const MAX_BODY = 1 << 20

const utf8 = new TextDecoder('utf-8', { fatal: true })

async function text(request: Request): Promise<string> {
  const length = Number(request.headers.get('content-length') ?? 0)
  if (length > MAX_BODY) throw PayloadTooLarge
  const bytes = await request.arrayBuffer()
  if (bytes.byteLength > MAX_BODY) throw PayloadTooLarge
  try {
    return utf8.decode(bytes)
  } catch {
    throw InvalidRequest.with({ hint: 'The request body is not valid UTF-8.' })
  }
}

/** Parameters of an OAuth request, each present at most once. */
export type Params = Map<string, string>

function addParam(params: Params, key: string, value: string) {
  // RFC 6749 §3.1, §3.2: "Request and response parameters MUST NOT be included more than once".
  if (params.has(key)) throw InvalidRequest.with({ hint: `The parameter "${key}" must only be included once.` })
  if (key.includes('\0') || value.includes('\0')) throw InvalidRequest.with({ hint: 'Parameters must not contain NUL characters.' })
  params.set(key, value)
}

/** Parameters of a query string; a parameter given twice is an error. */
export function parseParams(search: URLSearchParams): Params {
  const params: Params = new Map()
  for (const [key, value] of search) addParam(params, key, value)
  return params
}

const decodeComponent = (s: string) => (s.includes('%') || s.includes('+') ? decodeURIComponent(s.replaceAll('+', ' ')) : s)

/**
 * Parses an `application/x-www-form-urlencoded` body in one pass. Unlike URLSearchParams, malformed
 * percent-encoding is an error rather than silently replaced; a parameter given twice is an error too.
 */
function parseFormBody(body: string): Params {
  const params: Params = new Map()
  for (const pair of body.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    let key: string
    let value: string
    try {
      key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq))
      value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1))
    } catch {
      throw InvalidRequest.with({ hint: 'The request body is not valid form encoding.' })
    }
    addParam(params, key, value)
  }
  return params
}

/** Reads a form-encoded request body (RFC 6749 §4.1.3 and friends). */
export async function readForm(request: Request): Promise<Params> {
  const type = request.headers.get('content-type') ?? ''
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw InvalidRequest.with({ hint: 'The request body must be application/x-www-form-urlencoded.' })
  }
  const body = await text(request)
  if (body.includes('\0')) throw InvalidRequest.with({ hint: 'The request body contains a NUL byte.' })
  return parseFormBody(body)
}

/** Reads a JSON request body; empty, malformed or non-object bodies are a 400. */
export async function readJson<T = Record<string, unknown>>(
  request: Request,
  options: { array?: boolean } = {},
): Promise<T> {
  const body = await text(request)
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    throw InvalidRequest.with({ hint: 'The request body must be valid JSON.' })
  }
  if (/\\u0000/i.test(body)) throw InvalidRequest.with({ hint: 'JSON strings must not contain NUL characters.' })
  const duplicate = duplicateMemberName(body)
  if (duplicate !== null) throw InvalidRequest.with({ hint: `The member "${duplicate}" appears more than once.` })
  const ok = options.array ? Array.isArray(value) : typeof value === 'object' && value !== null && !Array.isArray(value)
  if (!ok) throw InvalidRequest.with({ hint: `The request body must be a JSON ${options.array ? 'array' : 'object'}.` })
  return value as T
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  })
}
