import { describe, expect, it } from 'bun:test'
import { applyJsonPatch, JsonPatchError, jsonEqual, parsePointer, type Json } from '../../src/clients/json_patch.ts'
import { duplicateMemberName } from '../../src/protocol/json.ts'

const ok: [string, Json, unknown[], Json][] = [
  ['adds an object member', { a: 1 }, [{ op: 'add', path: '/b', value: [2] }], { a: 1, b: [2] }],
  ['adds over an existing member', { a: 1 }, [{ op: 'add', path: '/a', value: 2 }], { a: 2 }],
  ['inserts into an array', { l: ['x', 'z'] }, [{ op: 'add', path: '/l/1', value: 'y' }], { l: ['x', 'y', 'z'] }],
  ['appends with -', { l: [1] }, [{ op: 'add', path: '/l/-', value: 2 }], { l: [1, 2] }],
  ['adds at the array length', { l: [1] }, [{ op: 'add', path: '/l/1', value: 2 }], { l: [1, 2] }],
  ['replaces the whole document', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
  ['removes a member', { a: 1, b: 2 }, [{ op: 'remove', path: '/a' }], { b: 2 }],
  ['removes an array element', { l: [1, 2, 3] }, [{ op: 'remove', path: '/l/1' }], { l: [1, 3] }],
  ['replaces a nested value', { a: { b: [0, { c: 1 }] } }, [{ op: 'replace', path: '/a/b/1/c', value: null }], { a: { b: [0, { c: null }] } }],
  ['moves a value', { a: { x: 1 }, b: {} }, [{ op: 'move', from: '/a/x', path: '/b/y' }], { a: {}, b: { y: 1 } }],
  ['moves within an array', { l: [1, 2, 3] }, [{ op: 'move', from: '/l/0', path: '/l/2' }], { l: [2, 3, 1] }],
  ['copies a value', { a: { x: [1] } }, [{ op: 'copy', from: '/a', path: '/b' }], { a: { x: [1] }, b: { x: [1] } }],
  ['passes a test regardless of member order', { a: { x: 1, y: 2 } }, [{ op: 'test', path: '/a', value: { y: 2, x: 1 } }], { a: { x: 1, y: 2 } }],
  ['unescapes ~1 and ~0', { 'a/b': 1, 'm~n': 2 }, [{ op: 'remove', path: '/a~1b' }, { op: 'replace', path: '/m~0n', value: 3 }], { 'm~n': 3 }],
  ['accepts an empty patch', { a: 1 }, [], { a: 1 }],
]

const failing: [string, Json, unknown][] = [
  ['a patch that is not an array', {}, { op: 'add', path: '/a', value: 1 }],
  ['an unknown op', {}, [{ op: 'merge', path: '/a', value: 1 }]],
  ['a missing op', {}, [{ path: '/a', value: 1 }]],
  ['a pointer without a leading slash', { a: 1 }, [{ op: 'replace', path: 'a', value: 2 }]],
  ['a bad escape', { a: 1 }, [{ op: 'remove', path: '/a~2' }]],
  ['add without value', {}, [{ op: 'add', path: '/a' }]],
  ['add under a missing parent', {}, [{ op: 'add', path: '/a/b', value: 1 }]],
  ['add past the array end', { l: [] }, [{ op: 'add', path: '/l/1', value: 1 }]],
  ['an index with leading zeros', { l: [1, 2] }, [{ op: 'replace', path: '/l/01', value: 1 }]],
  ['remove of a missing member', { a: 1 }, [{ op: 'remove', path: '/b' }]],
  ['remove of the whole document', { a: 1 }, [{ op: 'remove', path: '' }]],
  ['replace of a missing member', { a: 1 }, [{ op: 'replace', path: '/b', value: 1 }]],
  ['replace of - in an array', { l: [1] }, [{ op: 'replace', path: '/l/-', value: 1 }]],
  ['move into its own child', { a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]],
  ['move without from', { a: 1 }, [{ op: 'move', path: '/b' }]],
  ['copy from a missing location', { a: 1 }, [{ op: 'copy', from: '/x', path: '/b' }]],
  ['a failed test', { a: [1, 2] }, [{ op: 'test', path: '/a', value: [2, 1] }]],
  ['a test of a missing member', { a: 1 }, [{ op: 'test', path: '/b', value: null }]],
  ['add into a scalar', { a: 1 }, [{ op: 'add', path: '/a/b', value: 1 }]],
]

describe('JSON Patch (RFC 6902)', () => {
  for (const [name, doc, patch, expected] of ok) {
    it(name, () => {
      const before = JSON.stringify(doc)
      expect(applyJsonPatch(doc, patch)).toEqual(expected as never)
      expect(JSON.stringify(doc)).toBe(before)
    })
  }

  it('rejects invalid operations and leaves the document alone', () => {
    for (const [name, doc, patch] of failing) {
      const before = JSON.stringify(doc)
      let error: unknown
      try {
        applyJsonPatch(doc, patch)
      } catch (err) {
        error = err
      }
      expect({ name, isPatchError: error instanceof JsonPatchError }).toEqual({ name, isPatchError: true })
      expect(JSON.stringify(doc)).toBe(before)
    }
  })

  it('applies all operations or none', () => {
    const doc = { a: 1 }
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/a', value: 2 }, { op: 'test', path: '/a', value: 1 }])).toThrow(JsonPatchError)
    expect(doc).toEqual({ a: 1 })
  })

  it('treats __proto__ as an ordinary member name', () => {
    const out = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<string, unknown>
    expect(Object.hasOwn(out, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
  })

  it('parses JSON Pointers (RFC 6901)', () => {
    expect(parsePointer('')).toEqual([])
    expect(parsePointer('/')).toEqual([''])
    expect(parsePointer('/a~1b/~0c/0')).toEqual(['a/b', '~c', '0'])
    expect(parsePointer('a')).toBeNull()
    expect(parsePointer('/~')).toBeNull()
  })

  it('compares JSON values structurally', () => {
    expect(jsonEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true)
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false)
    expect(jsonEqual([1, 2], [2, 1])).toBe(false)
    expect(jsonEqual(1, '1')).toBe(false)
  })
})

describe('duplicate JSON members', () => {
  it('finds members named twice in one object, at any depth', () => {
    expect(duplicateMemberName('{"a":1,"a":2}')).toBe('a')
    expect(duplicateMemberName('{"x":{"b":1, "b" : 2}}')).toBe('b')
    expect(duplicateMemberName('[{"a":1},{"a":2,"\\u0061":3}]')).toBe('a')
    expect(duplicateMemberName('{"k":"a\\"b","k\\"":1,"k\\"" :2}')).toBe('k"')
  })

  it('accepts the same name in different objects and strings that look like members', () => {
    expect(duplicateMemberName('{"a":{"a":1},"b":[{"a":1},{"a":2}]}')).toBeNull()
    expect(duplicateMemberName('{"a":"{\\"a\\":1,\\"a\\":2}","l":["a","a"]}')).toBeNull()
    expect(duplicateMemberName('["x", "x"]')).toBeNull()
    expect(duplicateMemberName('{"a":1,"A":2}')).toBeNull()
  })
})
