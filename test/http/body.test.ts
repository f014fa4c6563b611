import { describe, expect, it } from 'bun:test'
import { readForm, readJson } from '../../src/http/body.ts'
import { duplicateMemberName } from '../../src/protocol/json.ts'
import { OAuthError } from '../../src/protocol/errors.ts'

const post = (body: string | Uint8Array, type = 'application/x-www-form-urlencoded') =>
  new Request('http://localhost/x', { method: 'POST', body, headers: { 'content-type': type } })

async function rejection(p: Promise<unknown>) {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError)
    return err as OAuthError
  }
  throw new Error('expected a rejection')
}

describe('form bodies', () => {
  it('parses parameters', async () => {
    const params = await readForm(post('grant_type=client_credentials&scope=a+b%20c'))
    expect(params.get('scope')).toBe('a b c')
  })

  it('reads what URLSearchParams reads from any well-formed body', async () => {
    const alphabet = ['a', 'Z', '0', ' ', '+', '=', '&', '%', '/', '?', 'é', '€', '😀', '~', '*', '.', '-', '_']
    const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('')
    const formEncode = (v: string) => encodeURIComponent(v).replaceAll('%20', Math.random() < 0.5 ? '+' : '%20')
    for (let round = 0; round < 300; round++) {
      const pairs = Array.from({ length: 1 + (round % 5) }, (_, i) => `k${i}${formEncode(word(round % 4))}=${formEncode(word(round % 9))}`)
      if (round % 7 === 0) pairs.push('') // an empty pair, as in "a=1&&b=2"
      if (round % 11 === 0) pairs.push(`bare${round}`) // a name without "="
      const body = pairs.join('&')
      expect(Object.fromEntries(await readForm(post(body)))).toEqual(Object.fromEntries(new URLSearchParams(body)))
    }
  })

  it('refuses a parameter given twice (RFC 6749 §3.2)', async () => {
    const err = await rejection(readForm(post('scope=a&scope=b')))
    expect([err.status, err.error]).toEqual([400, 'invalid_request'])
  })

  it('refuses broken percent-encoding, invalid UTF-8, NUL bytes and the wrong content type', async () => {
    for (const body of ['a=%zz', 'a=%E0%A4%A', new Uint8Array([0x61, 0x3d, 0xff, 0xfe]), 'a=b%00c'.replace('%00', '\0')]) {
      expect((await rejection(readForm(post(body)))).error).toBe('invalid_request')
    }
    expect((await rejection(readForm(post('a=b', 'application/json')))).error).toBe('invalid_request')
    expect((await rejection(readForm(post('client_id=a%00b')))).error).toBe('invalid_request')
  })

  it('refuses oversized bodies with 413', async () => {
    const err = await rejection(readForm(post(`a=${'x'.repeat(1 << 21)}`)))
    expect(err.status).toBe(413)
  })
})

describe('JSON bodies', () => {
  it('parses objects and refuses other shapes', async () => {
    expect(await readJson(post('{"a":[1,{"b":2}]}', 'application/json'))).toEqual({ a: [1, { b: 2 }] })
    for (const body of ['[1]', '"x"', 'null', '{', '', '{"a":1}x', '{"a":"x\\u0000y"}']) {
      expect((await rejection(readJson(post(body, 'application/json')))).error).toBe('invalid_request')
    }
  })

  it('refuses duplicate member names at any depth, but not equal names in different objects', async () => {
    expect(duplicateMemberName('{"a":1,"a":2}')).toBe('a')
    expect(duplicateMemberName('{"x":{"a":1,"b":{"a":2},"a":3}}')).toBe('a')
    expect(duplicateMemberName('{"a\\u0062":1,"ab":2}')).toBe('ab')
    expect(duplicateMemberName('{"a":{"a":1},"b":[{"a":1},{"a":2}],"s":"\\"a\\":"}')).toBeNull()
    expect((await rejection(readJson(post('{"client_id":"a","client_id":"b"}', 'application/json')))).error).toBe('invalid_request')
  })

  it('refuses invalid UTF-8', async () => {
    const err = await rejection(readJson(post(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'application/json')))
    expect(err.error).toBe('invalid_request')
  })
})
