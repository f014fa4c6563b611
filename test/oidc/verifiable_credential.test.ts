import { describe, expect, it } from 'bun:test'
import { decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import {
  createMintClient,
  ISSUER,
  issueCode,
  publicOidcApi,
  redeem,
  refresh,
  sdkError,
  startServer,
  storeFactories,
  verifyJwt,
  type CodeClient,
  type TestServer,
} from '../_harness.ts'
import { ID_TOKEN_SET } from '../../src/protocol/services.ts'

const VC_SCOPE = ['openid', 'offline_access', 'userinfo_credential_draft_00']
const TYPES = ['VerifiableCredential', 'UserInfoCredential']
const CREDENTIALS_URL = 'http://localhost/credentials'
const CLAIMS = { email: 'alice@example.com', name: 'Alice' }

async function holder(alg = 'ES256') {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true })
  return { jwk: await exportJWK(publicKey), privateKey, alg }
}

type Holder = Awaited<ReturnType<typeof holder>>

interface ProofOptions {
  aud?: string | null
  jwk?: JWK | null
  signer?: Holder
}

/** A proof of possession (OpenID4VCI draft 00 §7.2.1) over `nonce`, signed by the holder's key in its header. */
async function proof(s: TestServer, h: Holder, nonce: string | null, opts: ProofOptions = {}): Promise<string> {
  const jwt = new SignJWT(nonce === null ? {} : { nonce }).setIssuedAt(Math.floor(s.clock() / 1000))
  const aud = opts.aud === undefined ? ISSUER : opts.aud
  if (aud !== null) jwt.setAudience(aud)
  const jwk = opts.jwk === undefined ? h.jwk : opts.jwk
  jwt.setProtectedHeader({ alg: h.alg, typ: 'openid4vci-proof+jwt', ...(jwk ? { jwk } : {}) })
  return jwt.sign((opts.signer ?? h).privateKey)
}

async function vcClient(s: TestServer, body: Parameters<typeof createMintClient>[1] = {}): Promise<CodeClient> {
  return createMintClient(s, { scope: 'openid offline_access offline userinfo_credential_draft_00', ...body })
}

async function login(s: TestServer, client: CodeClient, scope = VC_SCOPE) {
  return redeem(s, client, await issueCode(s, client, { scope, session: { id_token_claims: CLAIMS } }))
}

function post(s: TestServer, token: string | null, body: unknown): Promise<Response> {
  return s.publicFetch(CREDENTIALS_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

const request = (jwt: string, extra: Record<string, unknown> = {}) => ({ format: 'jwt_vc_json', types: TYPES, proof: { proof_type: 'jwt', jwt }, ...extra })

/** The nonce with its first character changed. */
const tampered = (nonce: string) => `${nonce.startsWith('A') ? 'B' : 'A'}${nonce.slice(1)}`

async function refusal(res: Response) {
  const body = (await res.json()) as { error: string; error_description: string }
  return { status: res.status, error: body.error, description: body.error_description }
}

for (const factory of storeFactories()) {
  describe(`verifiable credentials (${factory.name})`, () => {
    it('issues a UserInfo credential through Ory’s SDK for a c_nonce from the token response', async () => {
      const s = await startServer(factory)
      const client = await vcClient(s)
      const tokens = await login(s, client)
      expect(tokens.c_nonce_expires_in_draft_00).toBe(3600)
      expect(tokens.c_nonce_draft_00).toEqual(expect.any(String))
      const h = await holder()
      const { data } = await publicOidcApi(s).createVerifiableCredential(
        { createVerifiableCredentialRequestBody: request(await proof(s, h, tokens.c_nonce_draft_00 as string)) },
        { headers: { Authorization: `Bearer ${tokens.access_token}` } },
      )
      expect(data.format).toBe('jwt_vc_json')
      const credential = data.credential_draft_00!
      const claims = await verifyJwt(s, credential)
      const did = `did:jwk:${Buffer.from(JSON.stringify(h.jwk)).toString('base64url')}`
      const now = Math.floor(s.clock() / 1000)
      expect(claims).toEqual({
        iss: ISSUER,
        sub: did,
        jti: expect.any(String),
        iat: now,
        nbf: now,
        exp: now + 3600,
        vc: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: TYPES,
          credentialSubject: { id: did, sub: 'alice', ...CLAIMS },
        },
      })
      expect(decodeProtectedHeader(credential).kid).toBe((await s.ctx.keys.signingKey(ID_TOKEN_SET)).kid)
      expect(JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString())).toEqual(h.jwk)
    })

    it('advertises the endpoint and the credential in discovery, read through Ory’s SDK', async () => {
      const s = await startServer(factory)
      const { data } = await publicOidcApi(s).discoverOidcConfiguration()
      expect(data.credentials_endpoint_draft_00).toBe(`${ISSUER}/credentials`)
      expect(data.credentials_supported_draft_00).toEqual([
        {
          format: 'jwt_vc_json',
          types: TYPES,
          cryptographic_binding_methods_supported: ['jwk'],
          cryptographic_suites_supported: ['PS256', 'RS256', 'ES256', 'PS384', 'RS384', 'ES384', 'PS512', 'RS512', 'ES512', 'EdDSA'],
        },
      ])
    })

    it('accepts proofs signed with RSA-PSS and EdDSA keys, and JWT access tokens', async () => {
      const s = await startServer(factory, { 'strategies.access_token': 'jwt' })
      const client = await vcClient(s)
      for (const alg of ['PS256', 'EdDSA']) {
        const tokens = await login(s, client)
        expect(tokens.access_token.split('.')).toHaveLength(3)
        const res = await post(s, tokens.access_token, request(await proof(s, await holder(alg), tokens.c_nonce_draft_00 as string)))
        expect({ alg, status: res.status }).toEqual({ alg, status: 200 })
      }
    })

    it('primes no c_nonce for a grant without openid and the credential scope', async () => {
      const s = await startServer(factory)
      const client = await vcClient(s)
      for (const scope of [['openid', 'offline_access'], ['offline_access', 'userinfo_credential_draft_00']]) {
        const tokens = await login(s, client, scope)
        expect(tokens).not.toHaveProperty('c_nonce_draft_00')
        expect(tokens).not.toHaveProperty('c_nonce_expires_in_draft_00')
      }
    })

    it('primes a c_nonce on refresh too; a nonce is bound to the grant, not to one access token', async () => {
      const s = await startServer(factory)
      const client = await vcClient(s)
      const first = await login(s, client)
      const refreshed = await refresh(s, client, first.refresh_token!)
      expect(refreshed.c_nonce_draft_00).toEqual(expect.any(String))
      expect(refreshed.c_nonce_draft_00).not.toBe(first.c_nonce_draft_00)
      const h = await holder()
      for (const nonce of [first.c_nonce_draft_00, refreshed.c_nonce_draft_00]) {
        expect((await post(s, refreshed.access_token, request(await proof(s, h, nonce as string)))).status).toBe(200)
      }
    })

    it('answers a request without a proof with Hydra’s priming answer, whose c_nonce then works', async () => {
      const s = await startServer(factory, { 'ttl.vc_nonce': '10m' })
      const client = await vcClient(s)
      const tokens = await login(s, client)
      const primed = await sdkError(
        publicOidcApi(s).createVerifiableCredential(
          { createVerifiableCredentialRequestBody: { format: 'jwt_vc_json', types: TYPES } },
          { headers: { Authorization: `Bearer ${tokens.access_token}` } },
        ),
      )
      expect(primed).toEqual({
        status: 400,
        body: {
          error: 'missing_proof',
          error_description: 'Could not issue a verifiable credential because the proof is missing in the request.',
          format: 'jwt_vc',
          c_nonce: expect.any(String),
          c_nonce_expires_in: 600,
        },
      })
      const res = await post(s, tokens.access_token, request(await proof(s, await holder(), primed.body.c_nonce as string)))
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-store')
    })

    it('accepts a c_nonce once', async () => {
      const s = await startServer(factory)
      const client = await vcClient(s)
      const tokens = await login(s, client)
      const nonce = tokens.c_nonce_draft_00 as string
      expect((await post(s, tokens.access_token, request(await proof(s, await holder(), nonce)))).status).toBe(200)
      const replay = await post(s, tokens.access_token, request(await proof(s, await holder(), nonce)))
      expect(await refusal(replay)).toEqual({ status: 400, error: 'invalid_request', description: expect.stringContaining('The nonce has already been used.') })
    })

    it('refuses an expired c_nonce, one of another grant and one it never issued', async () => {
      const s = await startServer(factory, { 'ttl.vc_nonce': '5m' })
      const client = await vcClient(s)
      const tokens = await login(s, client)
      const other = await login(s, client)
      const h = await holder()
      const cases: [string, string][] = [
        [other.c_nonce_draft_00 as string, 'The nonce is invalid.'],
        ['not-a-nonce', 'The nonce is invalid.'],
        [tampered(tokens.c_nonce_draft_00 as string), 'The nonce is invalid.'],
      ]
      for (const [nonce, description] of cases) {
        const res = await post(s, tokens.access_token, request(await proof(s, h, nonce)))
        expect(await refusal(res)).toEqual({ status: 400, error: 'invalid_request', description: expect.stringContaining(description) })
      }
      s.clock.advance(5 * 60_000 + 1000)
      const late = await post(s, tokens.access_token, request(await proof(s, h, tokens.c_nonce_draft_00 as string)))
      expect(await refusal(late)).toEqual({ status: 400, error: 'invalid_request', description: expect.stringContaining('The nonce has expired.') })
    })

    it('refuses proofs that are missing, malformed or not signed by the key they carry', async () => {
      const s = await startServer(factory)
      const client = await vcClient(s)
      const tokens = await login(s, client)
      const nonce = tokens.c_nonce_draft_00 as string
      const h = await holder()
      const other = await holder()
      const { privateKey: _, ...rest } = await holder()
      const privateJwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)
      const cases: [string, unknown, string][] = [
        ['signed by another key', request(await proof(s, h, nonce, { signer: other })), 'The JWT was not signed with the correct key supplied in the JWK header.'],
        ['no jwk header', request(await proof(s, h, nonce, { jwk: null })), 'The JWK in the JWT header is malformed.'],
        ['a private jwk', request(await proof(s, h, nonce, { jwk: privateJwk })), 'must be a public key'],
        ['a jwk of another algorithm', request(await proof(s, h, nonce, { jwk: { ...rest.jwk, alg: 'ES384' } })), 'The JWK in the JWT header is malformed.'],
        ['another audience', request(await proof(s, h, nonce, { aud: 'https://elsewhere.test' })), 'issuer as its "aud" claim'],
        ['no audience', request(await proof(s, h, nonce, { aud: null })), 'issuer as its "aud" claim'],
        ['no nonce', request(await proof(s, h, null)), 'The JWT did not contain the "nonce" claim.'],
        ['not a JWT', request('not-a-jwt'), 'The JWT header in the proof is malformed.'],
        ['another proof type', { format: 'jwt_vc_json', proof: { proof_type: 'cwt', jwt: await proof(s, h, nonce) } }, 'The proof type "cwt" is not supported.'],
        ['a proof without a jwt', { format: 'jwt_vc_json', proof: { proof_type: 'jwt' } }, 'must be an object'],
      ]
      for (const [name, body, description] of cases) {
        const res = await post(s, tokens.access_token, body)
        expect({ name, ...(await refusal(res)) }).toEqual({ name, status: 400, error: 'invalid_request', description: expect.stringContaining(description) })
      }
      // None of the refusals spent the nonce.
      expect((await post(s, tokens.access_token, request(await proof(s, h, nonce)))).status).toBe(200)
    })

    it('refuses unsupported formats and credential types, and bodies that are not JSON objects', async () => {
      const s = await startServer(factory)
      const client = await vcClient(s)
      const tokens = await login(s, client)
      const jwt = await proof(s, await holder(), tokens.c_nonce_draft_00 as string)
      const cases: [string, unknown, string][] = [
        ['ldp_vc', request(jwt, { format: 'ldp_vc' }), 'The format "ldp_vc" is not supported.'],
        ['no format', { types: TYPES, proof: { proof_type: 'jwt', jwt } }, 'The format "" is not supported.'],
        ['another type', request(jwt, { types: ['VerifiableCredential', 'DriverLicense'] }), 'The credential type "DriverLicense" is not supported.'],
        ['types not a list', request(jwt, { types: 'UserInfoCredential' }), 'must be an array of strings'],
        ['not JSON', '{"format":', 'valid JSON'],
        ['an array', '[]', 'JSON object'],
      ]
      for (const [name, body, description] of cases) {
        const res = await post(s, tokens.access_token, body)
        expect({ name, ...(await refusal(res)) }).toEqual({ name, status: 400, error: 'invalid_request', description: expect.stringContaining(description) })
      }
    })

    it('refuses missing, unknown and expired access tokens (401) and tokens without the scope (403)', async () => {
      const s = await startServer(factory)
      const client = await vcClient(s)
      const without = await login(s, client, ['openid', 'offline_access'])
      const h = await holder()
      const body = request(await proof(s, h, 'any'))
      const none = await post(s, null, body)
      expect({ status: none.status, challenge: none.headers.get('www-authenticate') }).toEqual({ status: 401, challenge: 'Bearer' })
      expect((await refusal(await post(s, 'ory_at_unknown.token', body))).error).toBe('invalid_token')
      const scoped = await post(s, without.access_token, body)
      expect(scoped.headers.get('www-authenticate')).toContain('scope="openid userinfo_credential_draft_00"')
      expect(await refusal(scoped)).toEqual({
        status: 403,
        error: 'insufficient_scope',
        description: expect.stringContaining('not granted the "userinfo_credential_draft_00" scope'),
      })
      const tokens = await login(s, client)
      s.clock.advance(3600_000 + 1000)
      expect(await refusal(await post(s, tokens.access_token, request(await proof(s, h, tokens.c_nonce_draft_00 as string))))).toEqual({
        status: 401,
        error: 'invalid_token',
        description: expect.any(String),
      })
    })
  })
}
