import { describe, expect, it } from 'bun:test'
import { withParam } from '../../src/util/with_param.ts'

const viaParser = (url: string, name: string, value: string) => {
  const u = new URL(url)
  u.searchParams.set(name, value)
  return u.href
}
const params = (url: string) => [...new URL(url).searchParams]

describe('withParam', () => {
  const cases: [string, string, string][] = [
    ['https://id.example/oauth2/auth?client_id=a&scope=openid%20offline&state=xyz', 'login_verifier', 'AbC-_09'],
    ['https://id.example/oauth2/auth', 'login_verifier', 'v'],
    ['https://id.example/oauth2/auth?', 'consent_verifier', 'v'],
    ['https://id.example/oauth2/auth?a=1&', 'consent_verifier', 'v'],
    ['https://id.example/oauth2/auth?client_id=a&login_verifier=forged&state=s', 'login_verifier', 'real'],
    ['https://id.example/oauth2/auth?login_verifier=forged', 'login_verifier', 'real'],
    ['https://id.example/oauth2/auth?prompt=none&x=1', 'prompt', 'login consent'],
    ['https://id.example/oauth2/auth?a=1#frag', 'login_verifier', 'v'],
    ['https://id.example/oauth2/auth?login%5Fverifier=forged&a=1', 'login_verifier', 'real'],
    ['https://id.example/oauth2/auth?a=1&login_verifier&b=2', 'login_verifier', 'real'],
    ['https://id.example/oauth2/auth?a=1&%E0%A4%A=x', 'login_verifier', 'real'],
    ['https://id.example/oauth2/auth?redirect_uri=https%3A%2F%2Fapp%2Fcb%3Fx%3D1', 'consent_verifier', 'v+/='],
  ]
  for (const [url, name, value] of cases) {
    it(`sets ${name} on ${url}`, () => {
      const out = withParam(url, name, value)
      // The same parameters, in the same order, as the URL parser's set() gives.
      expect(params(out)).toEqual(params(viaParser(url, name, value)))
      expect(new URL(out).searchParams.getAll(name)).toEqual([value])
    })
  }

  it('replaces a parameter the request already carried, also percent-encoded, instead of adding a second one', () => {
    for (const forged of ['login_verifier=forged', 'login%5Fverifier=forged', 'login%5fverifier']) {
      const out = withParam(`https://id.example/oauth2/auth?${forged}&state=s`, 'login_verifier', 'real')
      expect(new URL(out).searchParams.getAll('login_verifier')).toEqual(['real'])
    }
  })
})
