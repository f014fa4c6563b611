/** A JSON value as produced by JSON.parse. */
import { isRecord } from '../protocol/json.ts'
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Why a patch could not be applied; the document is left untouched. */
export class JsonPatchError extends Error {
  readonly index: number
  constructor(index: number, message: string) {
    super(`Operation ${index}: ${message}`)
    this.name = 'JsonPatchError'
    this.index = index
  }
}

const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test']
const INDEX = /^(0|[1-9][0-9]*)$/

const isObject = (v: unknown): v is Record<string, Json> => isRecord(v)

/** RFC 6901 §3–4: splits a JSON Pointer into unescaped reference tokens. */
export function parsePointer(pointer: string): string[] | null {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) return null
  const tokens = pointer.slice(1).split('/')
  if (tokens.some((t) => /~(?![01])/.test(t))) return null
  return tokens.map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/** Deep equality with JSON semantics (RFC 6902 §4.6): member order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]))
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
  }
  return false
}

const setMember = (obj: Record<string, Json>, key: string, value: Json) =>
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true })

function resolve(doc: Json, tokens: string[], i: number, what: string): Json {
  let cur = doc
  for (const t of tokens) {
    if (Array.isArray(cur) && INDEX.test(t) && Number(t) < cur.length) cur = cur[Number(t)]!
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t]!
    else throw new JsonPatchError(i, `${what} does not exist.`)
  }
  return cur
}

function parentOf(doc: Json, tokens: string[], i: number): { parent: Json[] | Record<string, Json>; key: string } {
  const parent = resolve(doc, tokens.slice(0, -1), i, 'the parent of path')
  if (!Array.isArray(parent) && !isObject(parent)) throw new JsonPatchError(i, 'the parent of path is not a container.')
  return { parent, key: tokens[tokens.length - 1]! }
}

function add(doc: Json, tokens: string[], value: Json, i: number): Json {
  if (tokens.length === 0) return value
  const { parent, key } = parentOf(doc, tokens, i)
  if (Array.isArray(parent)) {
    if (key === '-') parent.push(value)
    else if (INDEX.test(key) && Number(key) <= parent.length) parent.splice(Number(key), 0, value)
    else throw new JsonPatchError(i, `array index "${key}" is out of bounds.`)
  } else setMember(parent, key, value)
  return doc
}

function remove(doc: Json, tokens: string[], i: number): Json {
  if (tokens.length === 0) throw new JsonPatchError(i, 'the whole document cannot be removed.')
  resolve(doc, tokens, i, 'path')
  const { parent, key } = parentOf(doc, tokens, i)
  if (Array.isArray(parent)) parent.splice(Number(key), 1)
  else delete parent[key]
  return doc
}

function replace(doc: Json, tokens: string[], value: Json, i: number): Json {
  if (tokens.length === 0) return value
  resolve(doc, tokens, i, 'path')
  const { parent, key } = parentOf(doc, tokens, i)
  if (Array.isArray(parent)) parent[Number(key)] = value
  else setMember(parent, key, value)
  return doc
}

const clone = (v: Json): Json => JSON.parse(JSON.stringify(v)) as Json

/**
 * Applies an RFC 6902 JSON Patch and returns the new document; `doc` itself is never modified, and any
 * failing operation (including `test`) fails the whole patch (RFC 6902 §5).
 */
export function applyJsonPatch(doc: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) throw new JsonPatchError(0, 'a JSON Patch must be an array of operations.')
  let out = clone(doc)
  patch.forEach((op: unknown, i) => {
    if (!isObject(op) || typeof op.op !== 'string' || !OPS.includes(op.op)) {
      throw new JsonPatchError(i, 'op must be one of add, remove, replace, move, copy, test.')
    }
    const path = typeof op.path === 'string' ? parsePointer(op.path) : null
    if (!path) throw new JsonPatchError(i, 'path must be a JSON Pointer.')
    const needsValue = op.op === 'add' || op.op === 'replace' || op.op === 'test'
    // RFC 6902 §4.1: the operation object MUST contain a "value" member whose content specifies the value.
    if (needsValue && !Object.hasOwn(op, 'value')) throw new JsonPatchError(i, `${op.op} requires a value.`)
    const from = op.op === 'move' || op.op === 'copy' ? (typeof op.from === 'string' ? parsePointer(op.from) : null) : []
    if (!from) throw new JsonPatchError(i, 'from must be a JSON Pointer.')
    switch (op.op) {
      case 'add':
        out = add(out, path, clone(op.value!), i)
        break
      case 'remove':
        out = remove(out, path, i)
        break
      case 'replace':
        out = replace(out, path, clone(op.value!), i)
        break
      case 'move': {
        // RFC 6902 §4.4: the "from" location MUST NOT be a proper prefix of the "path" location.
        if (from.length < path.length && from.every((t, k) => t === path[k])) {
          throw new JsonPatchError(i, 'a value cannot be moved into one of its children.')
        }
        const value = resolve(out, from, i, 'from')
        out = add(remove(out, from, i), path, value, i)
        break
      }
      case 'copy':
        out = add(out, path, clone(resolve(out, from, i, 'from')), i)
        break
      case 'test':
        if (!jsonEqual(resolve(out, path, i, 'path'), op.value)) throw new JsonPatchError(i, 'test failed.')
        break
    }
  })
  return out
}
