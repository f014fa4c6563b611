import { describe, expect, it } from 'bun:test'
import {
  authorizeDevice,
  Browser,
  createDeviceClient,
  createMintClient,
  DEVICE_GRANT,
  introspect,
  issueCode,
  MINT_REDIRECT_URI,
  redeem,
  requestDeviceCodes,
  startDeviceServer,
  startServer,
  storeFactories,
  type CodeClient,
  type TestServer,
} from '../../_harness.ts'
import { authorizationCodeGrant } from '../../../src/oauth2/grants/authorization_code.ts'
import { deviceCodeGrant } from '../../../src/oauth2/grants/device_code.ts'
import { refreshTokenGrant } from '../../../src/oauth2/grants/refresh_token.ts'
import type { GrantHandler } from '../../../src/oauth2/grants/index.ts'
import { issueTokens } from '../../../src/oauth2/issue.ts'
import { statusAndError, tokenRequest } from './_grants.ts'

/** Runs a grant up to its decision, as a request that has redeemed its code or refresh token but not yet minted. */
async function decide(s: TestServer, grant: GrantHandler, client: CodeClient, params: Record<string, string>) {
  const record = (await s.ctx.clients.get(client.client_id))!.client
  const issuance = await grant.handle(s.ctx, { grantType: grant.grantType, params: new Map(Object.entries(params)), client: record, requestedAt: s.clock() })
  return () => issueTokens(s.ctx, grant.grantType, record, issuance)
}

const active = async (s: TestServer, token: string) => (await introspect(s, token)).active

for (const factory of storeFactories()) {
  describe(`redemption racing a replay (${factory.name})`, () => {
    it('revokes the tokens of a code redemption when a replay revoked the family before they were stored', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const code = await issueCode(s, client)
      const mint = await decide(s, authorizationCodeGrant, client, { code, redirect_uri: MINT_REDIRECT_URI })
      const replay = await tokenRequest(s, client, { grant_type: 'authorization_code', code, redirect_uri: MINT_REDIRECT_URI })
      expect(await statusAndError(replay)).toEqual({ status: 400, error: 'invalid_grant' })
      const minted = await mint()
      expect(await active(s, minted.access_token)).toBe(false)
      expect(await active(s, minted.refresh_token!)).toBe(false)
    })

    it('revokes the tokens of a rotation when a reuse revoked the family before they were stored', async () => {
      const s = await startServer(factory)
      const client = await createMintClient(s)
      const tokens = await redeem(s, client, await issueCode(s, client))
      const mint = await decide(s, refreshTokenGrant, client, { refresh_token: tokens.refresh_token! })
      const reuse = await tokenRequest(s, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })
      expect(await statusAndError(reuse)).toEqual({ status: 400, error: 'invalid_grant' })
      const minted = await mint()
      expect(await active(s, minted.access_token)).toBe(false)
      expect(await active(s, minted.refresh_token!)).toBe(false)
    })

    it('revokes the tokens of a device code redemption when a replay revoked the family before they were stored', async () => {
      const s = await startDeviceServer(factory)
      const client = await createDeviceClient(s)
      const codes = await requestDeviceCodes(s, client)
      await authorizeDevice(s, new Browser(s), codes)
      const mint = await decide(s, deviceCodeGrant, client, { device_code: codes.device_code })
      s.clock.advance(5000)
      const replay = await tokenRequest(s, client, { grant_type: DEVICE_GRANT, device_code: codes.device_code })
      expect(await statusAndError(replay)).toEqual({ status: 400, error: 'invalid_grant' })
      const minted = await mint()
      expect(await active(s, minted.access_token)).toBe(false)
      expect(await active(s, minted.refresh_token!)).toBe(false)
    })

    it('keeps the tokens of a rotation when the concurrent use was within the grace period', async () => {
      const s = await startServer(factory, { 'oauth2.grant.refresh_token.rotation_grace_period': '30s' })
      const client = await createMintClient(s)
      const tokens = await redeem(s, client, await issueCode(s, client))
      const mint = await decide(s, refreshTokenGrant, client, { refresh_token: tokens.refresh_token! })
      const other = await tokenRequest(s, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })
      expect(other.status).toBe(200)
      const minted = await mint()
      expect(await active(s, minted.access_token)).toBe(true)
      expect(await active(s, minted.refresh_token!)).toBe(true)
    })
  })
}
