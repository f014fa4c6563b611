import { InvalidRequest } from './errors.ts'

/** Parameters of an OAuth request, each present at most once. */
export type Params = Map<string, string>

function addParam(params: Params, key: string, value: string) {
  // RFC 6749 §3.1, §3.2: "Request and response parameters MUST NOT be included more than once".
  if (params.has(key)) throw InvalidRequest.with({ hint: `The parameter "${key}" must only be included once.` })
  if (key.includes('\0') || value.includes('\0')) throw InvalidRequest.with({ hint: 'Parameters must not contain NUL characters.' })
  params.set(key, value)
}

/** Parameters of a query string (or any name-value pairs); a parameter given twice is an error. */
export function parseParams(search: Iterable<[string, string]>): Params {
  const params: Params = new Map()
  for (const [key, value] of search) addParam(params, key, value)
  return params
}

const decodeComponent = (s: string) => (s.includes('%') || s.includes('+') ? decodeURIComponent(s.replaceAll('+', ' ')) : s)

/**
 * Parses an `application/x-www-form-urlencoded` body in one pass. Unlike URLSearchParams, malformed
 * percent-encoding is an error rather than silently replaced; a parameter given twice is an error too.
 */
export function parseFormBody(body: string): Params {
  if (body.includes('\0')) throw InvalidRequest.with({ hint: 'The request body contains a NUL byte.' })
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
