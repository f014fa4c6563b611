import { describe, expect, it } from 'bun:test'
import { audienceAllowed, parseAudience } from '../../src/oauth2/audience.ts'
import { exactScopeStrategy, parseScope, wildcardScopeStrategy } from '../../src/oauth2/scope.ts'

describe('wildcard scope strategy', () => {
  const cases: [allowed: string[], scope: string, ok: boolean][] = [
    [['*'], 'anything.at.all', true],
    [['foo.*'], 'foo.bar', true],
    [['foo.*'], 'foo.bar.baz', true],
    [['foo.*'], 'foo', false],
    [['foo.*'], 'foobar', false],
    [['foo.*'], 'foo.', false],
    [['foo.*.baz'], 'foo.bar.baz', true],
    [['foo.*.baz'], 'foo.bar.qux', false],
    [['foo.*.baz'], 'foo..baz', false],
    [['foo.bar'], 'foo.bar.baz', false],
    [['foo.bar.baz'], 'foo.bar', false],
    [['a', 'b.*'], 'b.c', true],
  ]
  for (const [allowed, scope, ok] of cases) {
    it(`${JSON.stringify(allowed)} ${ok ? 'allows' : 'refuses'} "${scope}"`, () => {
      expect(wildcardScopeStrategy(allowed, scope)).toBe(ok)
    })
  }

  it('exact matches identical strings only', () => {
    expect(exactScopeStrategy(['foo.*'], 'foo.*')).toBe(true)
    expect(exactScopeStrategy(['foo.*'], 'foo.bar')).toBe(false)
  })

  it('parses scope parameters, refusing malformed tokens (RFC 6749 §3.3)', () => {
    expect(parseScope(' a  b a ')).toEqual(['a', 'b'])
    expect(parseScope(undefined)).toEqual([])
    for (const bad of ['a\\b', 'a"b', 'é', 'a\tb']) expect(() => parseScope(bad)).toThrow()
  })
})

describe('audience matching', () => {
  const cases: [allowed: string[], requested: string, ok: boolean][] = [
    [['https://api.test/v1'], 'https://api.test/v1', true],
    [['https://api.test/v1/'], 'https://api.test/v1', true],
    [['https://api.test/v1/'], 'https://api.test/v1/x', true],
    [['https://api.test'], 'https://api.test/anything', true],
    [['https://api.test/v1'], 'https://api.test/v1x', false],
    [['https://api.test/v1'], 'https://api.test', false],
    [['https://api.test/v1'], 'https://api.test:8443/v1', false],
    [['https://api.test/v1'], 'HTTPS://api.test/v1', true],
    [['https://api.test/v1'], 'https://api.test/v1?admin=1', false],
    [['https://api.test/v1?x=1'], 'https://api.test/v1?x=1', true],
    [['my-api'], 'my-api', true],
    [['my-api'], 'my-api/sub', true],
    [['my-api'], 'other-api', false],
    [['urn:api:one'], 'urn:api:two', false],
    [[], 'https://api.test', false],
  ]
  for (const [allowed, requested, ok] of cases) {
    it(`${JSON.stringify(allowed)} ${ok ? 'allows' : 'refuses'} "${requested}"`, () => {
      expect(audienceAllowed(allowed, requested)).toBe(ok)
    })
  }

  it('splits the audience parameter on spaces', () => {
    expect(parseAudience(' https://a.test  https://b.test https://a.test')).toEqual(['https://a.test', 'https://b.test'])
  })
})
