import { describe, expect, it } from 'bun:test'
import * as client from 'openid-client'
import { fetchRequestObject } from '../../../src/oauth2/checks/check_request_uri.ts'
import { Browser, LOGIN_URL, locationOf, rejectionOf, startFlowServer, storeFactories } from '../../_harness.ts'
import { clientKey, createJarClient, expectRefused, issue, jarUrl, localHost, openidClient, redeem, requestParams } from './_request_object.ts'

const host = localHost()
const asJwt = (jwt: string) => new Response(jwt, { headers: { 'content-type': 'application/oauth-authz-req+jwt' } })

/** A request_uri on 127.0.0.1 whose content is set once the client exists. */
function requestUri() {
  let body = ''
  const uri = host.serve(() => asJwt(body))
  return { uri, set: (jwt: string) => (body = jwt) }
}

for (const factory of storeFactories()) {
  describe(`request objects by reference (${factory.name})`, () => {
    it('runs a code flow from a registered request_uri, fetched through the outbound guard’s exception list', async () => {
      const key = await clientKey()
      const ref = requestUri()
      const s = await startFlowServer(factory, {
        'clients.http.disallow_private_ip_ranges': true,
        'clients.http.private_ip_exception_urls': [ref.uri],
      })
      // A fragment names a version of the content (OIDC Core §6.2): it is neither matched nor fetched.
      const c = await createJarClient(s, key, { request_uris: [`${ref.uri}#v1`], request_object_signing_alg: 'ES256' })
      const config = await openidClient(s, c)
      const verifier = client.randomPKCECodeVerifier()
      const checks = { verifier, state: client.randomState(), nonce: client.randomNonce() }
      const params = requestParams({
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      })
      ref.set(await issue(s, c, key, params))
      const url = client.buildAuthorizationUrl(config, { request_uri: `${ref.uri}#v2` })
      const hits = host.hits
      const claims = await redeem(s, config, url.href, checks)
      expect(claims).toMatchObject({ sub: 'alice', nonce: checks.nonce })
      // Fetched once, for the first hop only: the return trips carry the object's parameters.
      expect(host.hits).toBe(hits + 1)
    })

    it('refuses a request_uri the client did not register, and one the outbound guard refuses', async () => {
      const key = await clientKey()
      const ref = requestUri()
      const s = await startFlowServer(factory, { 'clients.http.disallow_private_ip_ranges': true })
      const c = await createJarClient(s, key, { request_uris: [ref.uri] })
      ref.set(await issue(s, c, key))
      const hits = host.hits
      for (const other of [`${ref.uri}x`, `${ref.uri}?v=2`, ref.uri.replace('127.0.0.1', 'localhost')]) {
        await expectRefused(await new Browser(s).open(jarUrl(c, { request_uri: other })), 'invalid_request_uri', /not registered/)
      }
      const unregistered = await createJarClient(s, key)
      await expectRefused(await new Browser(s).open(jarUrl(unregistered, { request_uri: ref.uri })), 'invalid_request_uri', /not registered/)
      expect(host.hits).toBe(hits)
      // Registered, but 127.0.0.1 is private and not an exception.
      await expectRefused(await new Browser(s).open(jarUrl(c, { request_uri: ref.uri })), 'invalid_request_uri', /could not be fetched/)
      expect(host.hits).toBe(hits)
    })

    it('refuses a request_uri that fails, redirects or answers too much, and one whose content is not a valid object', async () => {
      const key = await clientKey()
      const s = await startFlowServer(factory)
      const failing = [
        host.serve(() => new Response('gone', { status: 404 })),
        host.serve(() => new Response('oops', { status: 500 })),
        host.serve(() => new Response(null, { status: 302, headers: { location: 'http://169.254.169.254/latest' } })),
        host.serve(() => asJwt('x'.repeat(64 * 1024 + 1))),
        'http://127.0.0.1:1/request.jwt',
      ]
      const invalid = host.serve(() => asJwt('not-a-jwt'))
      const c = await createJarClient(s, key, { request_uris: [...failing, invalid] })
      for (const uri of failing) {
        await expectRefused(await new Browser(s).open(jarUrl(c, { request_uri: uri })), 'invalid_request_uri', /could not be fetched/)
      }
      await expectRefused(await new Browser(s).open(jarUrl(c, { request_uri: invalid })), 'invalid_request_object', /well-formed/)
      const ok = requestUri()
      const d = await createJarClient(s, key, { request_uris: [ok.uri] })
      ok.set(await issue(s, d, key))
      expect(locationOf(await new Browser(s).open(jarUrl(d, { request_uri: ok.uri }))).href).toStartWith(LOGIN_URL)
    })
  })
}

describe('fetching a request_uri', () => {
  const open = { disallow_private_ip_ranges: false, private_ip_exception_urls: [] }

  it('gives up on a server that does not answer in time', async () => {
    const { promise: answer, resolve } = Promise.withResolvers<Response>()
    const uri = host.serve(() => answer)
    const err = await rejectionOf(fetchRequestObject(open, uri, { timeoutMs: 50, maxBytes: 1024 }))
    resolve(asJwt('late'))
    expect([err.status, err.error, err.debug]).toEqual([400, 'invalid_request_uri', 'request_uri timed out'])
  })

  it('stops reading past the size limit, announced or streamed', async () => {
    const big = 'x'.repeat(2048)
    const announced = host.serve(() => asJwt(big))
    const streamed = host.serve(
      () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              controller.enqueue(new TextEncoder().encode(big))
              controller.close()
            },
          }),
        ),
    )
    for (const uri of [announced, streamed]) {
      const err = await rejectionOf(fetchRequestObject(open, uri, { timeoutMs: 5_000, maxBytes: 1024 }))
      expect([err.error, err.debug]).toEqual(['invalid_request_uri', 'request_uri answered more than 1024 bytes'])
    }
    expect(await fetchRequestObject(open, host.serve(() => asJwt(' a.b.c\n')), { timeoutMs: 5_000, maxBytes: 1024 })).toBe('a.b.c')
  })

  it('fetches http(s) URLs only', async () => {
    for (const uri of ['not a url', 'file:///etc/passwd', 'urn:ietf:params:oauth:request_uri:abc']) {
      expect((await rejectionOf(fetchRequestObject(open, uri))).error).toBe('invalid_request_uri')
    }
  })
})
