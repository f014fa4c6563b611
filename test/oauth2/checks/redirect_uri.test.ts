import { describe, expect, it } from 'bun:test'
import { redirectUriMatches, resolveRedirectUri } from '../../../src/oauth2/checks/redirect_uri.ts'

describe('redirect URI matching', () => {
  it.each([
    ['https://app.example/cb', 'https://app.example/cb', true],
    ['https://app.example/cb/', 'https://app.example/cb', false],
    ['https://app.example/cb?x=1', 'https://app.example/cb', false],
    ['https://APP.example/cb', 'https://app.example/cb', false],
    ['https://app.example:443/cb', 'https://app.example/cb', false],
    ['https://app.example:8443/cb', 'https://app.example:443/cb', false],
    ['http://127.0.0.1:51234/cb', 'http://127.0.0.1/cb', true],
    ['http://127.0.0.1:51234/cb', 'http://127.0.0.1:8080/cb', true],
    ['http://[::1]:9000/cb', 'http://[::1]/cb', true],
    ['http://127.0.0.1:51234/other', 'http://127.0.0.1/cb', false],
    ['http://127.0.0.1:51234/cb?a=b', 'http://127.0.0.1/cb', false],
    ['http://localhost:51234/cb', 'http://localhost/cb', false],
    ['https://127.0.0.1:51234/cb', 'https://127.0.0.1/cb', false],
    ['com.example.app:/cb', 'com.example.app:/cb', true],
  ])('%s against %s → %p', (requested, registered, expected) => {
    expect(redirectUriMatches(requested, registered)).toBe(expected)
  })

  it('uses the only registered URI when none is requested, and refuses when several are registered', () => {
    expect(resolveRedirectUri(undefined, ['https://a.example/cb'])).toBe('https://a.example/cb')
    expect(resolveRedirectUri(undefined, ['https://a.example/cb', 'https://b.example/cb'])).toBeNull()
  })

  it('refuses fragments and unregistered URIs', () => {
    expect(resolveRedirectUri('https://a.example/cb#x', ['https://a.example/cb#x'])).toBeNull()
    expect(resolveRedirectUri('https://evil.example/cb', ['https://a.example/cb'])).toBeNull()
  })
})
