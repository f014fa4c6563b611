import { InvalidRequest, PayloadTooLarge } from '../protocol/errors.ts'
import { duplicateMemberName, isRecord } from '../protocol/json.ts'
import { parseFormBody, type Params } from '../protocol/params.ts'

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

/** Reads a form-encoded request body (RFC 6749 §4.1.3 and friends). */
export async function readForm(request: Request): Promise<Params> {
  const type = request.headers.get('content-type') ?? ''
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw InvalidRequest.with({ hint: 'The request body must be application/x-www-form-urlencoded.' })
  }
  return parseFormBody(await text(request))
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
  const ok = options.array ? Array.isArray(value) : isRecord(value)
  if (!ok) throw InvalidRequest.with({ hint: `The request body must be a JSON ${options.array ? 'array' : 'object'}.` })
  return value as T
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  })
}
