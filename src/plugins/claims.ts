import { RESERVED_ACCESS_TOKEN_CLAIMS, RESERVED_ID_TOKEN_CLAIMS, type Claims, type TokenClaims } from './api.ts'
import { PluginContractError } from './run_hooks.ts'
import { isPlainObject } from '../protocol/json.ts'

const MAX_DEPTH = 32

/** Whether a value survives JSON unchanged: no functions, undefined, NaN, class instances or cycles. */
export function isJson(value: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1))
  if (isPlainObject(value)) return Object.values(value).every((v) => isJson(v, depth + 1))
  return false
}

/** A deep copy of JSON claims, so a plugin cannot change them after handing them over. */
const copy = (claims: Claims): Claims => JSON.parse(JSON.stringify(claims)) as Claims

/** Checks one set of claims a plugin returned; throws PluginContractError naming what is wrong. */
export function checkClaims(claims: unknown, kind: 'access token' | 'ID token'): Claims {
  if (!isPlainObject(claims)) throw new PluginContractError(`${kind} claims must be a plain object`)
  const reserved = kind === 'access token' ? RESERVED_ACCESS_TOKEN_CLAIMS : RESERVED_ID_TOKEN_CLAIMS
  for (const [name, value] of Object.entries(claims)) {
    if (reserved.has(name)) throw new PluginContractError(`${kind} claim "${name}" is reserved`)
    if (!isJson(value)) throw new PluginContractError(`${kind} claim "${name}" is not a JSON value`)
  }
  return copy(claims)
}

/** Checks what a `token.claims` hook returned: nothing, or `{accessToken?, idToken?}` of JSON claims. */
export function checkTokenClaims(result: unknown): Required<TokenClaims> {
  if (result === undefined || result === null) return { accessToken: {}, idToken: {} }
  if (!isPlainObject(result)) throw new PluginContractError('a token.claims hook must return {accessToken?, idToken?} or nothing')
  const unknown = Object.keys(result).filter((k) => k !== 'accessToken' && k !== 'idToken')
  if (unknown.length) throw new PluginContractError(`a token.claims hook returned unknown members: ${unknown.join(', ')}`)
  return {
    accessToken: result.accessToken === undefined ? {} : checkClaims(result.accessToken, 'access token'),
    idToken: result.idToken === undefined ? {} : checkClaims(result.idToken, 'ID token'),
  }
}

/** Claims without the reserved ones (webhook answers, which Hydra lets override nothing). */
export function withoutReserved(claims: Record<string, unknown>, kind: 'access token' | 'ID token'): { claims: Claims; dropped: string[] } {
  const reserved = kind === 'access token' ? RESERVED_ACCESS_TOKEN_CLAIMS : RESERVED_ID_TOKEN_CLAIMS
  const dropped = Object.keys(claims).filter((k) => reserved.has(k))
  return { claims: Object.fromEntries(Object.entries(claims).filter(([k]) => !reserved.has(k))), dropped }
}
