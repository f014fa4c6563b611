import type { OAuth2Context } from '../context.ts'
import type { ClientRecord } from '../../protocol/services.ts'
import { InvalidClient } from '../../protocol/errors.ts'
import type { ClientAuthInput, ClientAuthMethodHandler } from '../types.ts'
import { verifyClientSecret } from './client_secret.ts'

const BASIC = /^basic(?:\s+|$)/i
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

const decodeForm = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '))

/** The client id and secret of a Basic `Authorization` header; null when the header is malformed. */
export function parseBasic(authorization: string | null): { id: string; secret: string } | null {
  if (!authorization || !BASIC.test(authorization)) return null
  const encoded = authorization.replace(BASIC, '').trim()
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) return null
  let decoded: string
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'))
  } catch {
    return null
  }
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  try {
    // RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are joined by ':'.
    const id = decodeForm(decoded.slice(0, colon))
    const secret = decodeForm(decoded.slice(colon + 1))
    return id ? { id, secret } : null
  } catch {
    return null
  }
}

// The header is read twice per request (claimed id, then verification): parse it once.
const parsed = new WeakMap<ClientAuthInput, { id: string; secret: string } | null>()
function credentialsOf(input: ClientAuthInput) {
  let credentials = parsed.get(input)
  if (credentials === undefined) {
    credentials = parseBasic(input.authorization)
    parsed.set(input, credentials)
  }
  return credentials
}

/** RFC 6749 §2.3.1 client_secret_basic: the client id and secret in an HTTP Basic `Authorization` header. */
export const clientSecretBasic: ClientAuthMethodHandler = {
  method: 'client_secret_basic',
  presents: (input: ClientAuthInput) => input.authorization !== null && BASIC.test(input.authorization),
  claimedClientId(input: ClientAuthInput) {
    const credentials = credentialsOf(input)
    if (!credentials) throw InvalidClient.with({ hint: 'The HTTP Basic Authorization header is malformed.' })
    return credentials.id
  },
  async verify(ctx: OAuth2Context, record: ClientRecord, input: ClientAuthInput) {
    await verifyClientSecret(ctx, record, credentialsOf(input)?.secret)
  },
}
