import type { JsonWebKey, TrustedOAuth2JwtGrantIssuer, TrustOAuth2JwtGrantIssuer } from '@ory/hydra-client'
import type { JWK } from 'jose'
import * as oauth from 'oauth4webapi'
import { AS, startServer, via, type StoreFactory, type TestServer } from '../_harness.ts'
import { opaqueSignature } from '../../src/oauth2/tokens/opaque.ts'

/** A client_credentials token for a client created by createClient, via oauth4webapi. */
export async function clientCredentials(
  s: TestServer,
  client: { client_id: string; client_secret: string },
  params: Record<string, string> = {},
): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.clientCredentialsGrantRequest(
    AS,
    { client_id: client.client_id },
    oauth.ClientSecretBasic(client.client_secret),
    params,
    via(s),
  )
  return oauth.processClientCredentialsResponse(AS, { client_id: client.client_id }, res)
}

/** Servers shared by the tests of one store factory, one per configuration, to keep the number of databases down. */
export function sharedServers(factory: StoreFactory): (overrides?: Record<string, unknown>) => Promise<TestServer> {
  const cache = new Map<string, Promise<TestServer>>()
  return (overrides = {}) => {
    const key = JSON.stringify(overrides)
    let server = cache.get(key)
    if (!server) cache.set(key, (server = startServer(factory, overrides)))
    return server
  }
}

/** The signature the store keys an opaque token by (its HMAC, led by its minting time). */
export function signatureOf(s: TestServer, token: string): string {
  const prefix = token.slice(0, 'ory_xx_'.length)
  const signature = opaqueSignature(s.ctx.config.secrets.system, prefix, token)
  if (!signature) throw new Error(`not an opaque token of this server: ${token}`)
  return signature
}

export const TRUSTED_ISSUER = 'https://idp.test'
const DAY = 86_400_000

/**
 * Trusts an issuer's public JWK for the jwt-bearer grant through Ory's SDK: by default `TRUSTED_ISSUER` for the subject
 * alice and the scopes read and write, for a day of the server's clock; `body` overrides.
 */
export async function trustIssuer(s: TestServer, jwk: JWK, body: Partial<TrustOAuth2JwtGrantIssuer> = {}): Promise<TrustedOAuth2JwtGrantIssuer> {
  const { data } = await s.hydra.oauth2.trustOAuth2JwtGrantIssuer({
    trustOAuth2JwtGrantIssuer: {
      issuer: TRUSTED_ISSUER,
      subject: 'alice',
      scope: ['read', 'write'],
      jwk: jwk as JsonWebKey,
      expires_at: new Date(s.clock() + DAY).toISOString(),
      ...body,
    },
  })
  return data
}
