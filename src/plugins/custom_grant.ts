import type { OAuth2Client } from '../protocol/client.ts'
import type { CoreContext } from '../protocol/context.ts'
import { checkAudience } from '../oauth2/audience.ts'
import { InvalidTarget, OAuthError, UnauthorizedClient } from '../protocol/errors.ts'
import type { GrantHandler, TokenRequest } from '../oauth2/grants/index.ts'
import type { Issuance } from '../oauth2/issue.ts'
import { checkClientScopes } from '../oauth2/scope.ts'
import type { GrantDecision, GrantDefinition } from './api.ts'
import { checkClaims, isJson } from './claims.ts'
import { isPlainObject } from '../protocol/json.ts'
import type { HookOwner } from './registry.ts'
import { PluginContractError, runIsolated } from './run_hooks.ts'

// Members of the token response that belong to the core.
const CORE_RESPONSE = new Set(['access_token', 'token_type', 'expires_in', 'scope', 'refresh_token', 'id_token'])

const isStrings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0)

/** Checks a decision's shape; throws PluginContractError (which fails closed) when it decides nothing usable. */
function checkDecision(d: unknown): GrantDecision {
  if (!isPlainObject(d)) throw new PluginContractError('handle must return a decision object')
  if (typeof d.subject !== 'string' || !d.subject) throw new PluginContractError('the decision needs a subject')
  if (d.scope !== undefined && !isStrings(d.scope)) throw new PluginContractError('scope must be a list of strings')
  if (d.audience !== undefined && !isStrings(d.audience)) throw new PluginContractError('audience must be a list of strings')
  if (d.refreshToken !== undefined && typeof d.refreshToken !== 'boolean') throw new PluginContractError('refreshToken must be a boolean')
  if (d.expiresIn !== undefined && !(typeof d.expiresIn === 'number' && Number.isFinite(d.expiresIn) && d.expiresIn > 0)) {
    throw new PluginContractError('expiresIn must be a positive number of seconds')
  }
  if (d.clientId !== undefined && typeof d.clientId !== 'string') throw new PluginContractError('clientId must be a string')
  if (d.response !== undefined && !isPlainObject(d.response)) throw new PluginContractError('response must be an object')
  return d as unknown as GrantDecision
}

async function clientOf(ctx: CoreContext, grantType: string, req: TokenRequest, decision: GrantDecision): Promise<OAuth2Client> {
  if (req.client) {
    if (decision.clientId !== undefined && decision.clientId !== req.client.client_id) {
      throw new PluginContractError('clientId differs from the authenticated client')
    }
    return req.client
  }
  if (!decision.clientId) throw new PluginContractError('no client authenticated and the decision names no clientId')
  const record = await ctx.clients.get(decision.clientId)
  if (!record) throw new PluginContractError(`clientId "${decision.clientId}" does not exist`)
  if (!record.client.grant_types.includes(grantType)) {
    throw UnauthorizedClient.with({ hint: `The OAuth 2.0 Client is not allowed to use authorization grant "${grantType}".` })
  }
  return record.client
}

function checkGrantable(ctx: CoreContext, client: OAuth2Client, scope: readonly string[], audience: readonly string[]) {
  // RFC 6749 §3.3: never more than the client may have.
  checkClientScopes(ctx, client, scope)
  try {
    checkAudience(client.audience ?? [], audience)
  } catch (err) {
    // RFC 8707 §2, RFC 8693 §2.2.2: a target the client may not address is invalid_target.
    throw err instanceof OAuthError ? InvalidTarget.with({ hint: err.hint }) : err
  }
}

/**
 * A plugin's custom grant as a GrantHandler of the token endpoint: `handle` runs isolated (timeout, errors
 * contained); its decision is checked, bounded by the client's scopes and audiences, and turned into an
 * Issuance the core mints. Nothing is issued when the decision is missing or malformed.
 */
export function customGrantHandler(owner: HookOwner, def: GrantDefinition): GrantHandler {
  const grantType = def.grantType
  const declared = new Set(def.params)
  return {
    grantType,
    params: [...def.params],
    clientAuth: def.clientAuth,
    async handle(ctx: CoreContext, req: TokenRequest): Promise<Issuance> {
      const request = Object.freeze({
        grantType,
        // Client credentials never reach a plugin.
        params: new Map([...req.params].filter(([name]) => declared.has(name))),
        client: req.client ? structuredClone(req.client) : null,
        requestedAt: req.requestedAt,
      })
      const settled = await runIsolated(ctx, owner, `grant ${grantType}`, async () => {
        const decision = checkDecision(await def.handle(request))
        const claims = decision.accessTokenClaims === undefined ? {} : checkClaims(decision.accessTokenClaims, 'access token')
        if (decision.response !== undefined && !isJson(decision.response)) throw new PluginContractError('response must be JSON')
        return { decision, claims, client: await clientOf(ctx, grantType, req, decision) }
      })
      const { decision, claims, client } = settled
      const scope = [...new Set(decision.scope ?? [])]
      const audience = [...new Set(decision.audience ?? [])]
      checkGrantable(ctx, client, scope, audience)
      const response = Object.fromEntries(Object.entries(decision.response ?? {}).filter(([k]) => !CORE_RESPONSE.has(k)))
      return {
        subject: decision.subject,
        grantedScope: scope,
        grantedAudience: audience,
        accessTokenClaims: claims,
        // RFC 6749 §6: refresh tokens only for clients allowed the refresh_token grant.
        refresh: decision.refreshToken === true && client.grant_types.includes('refresh_token'),
        ...(decision.expiresIn ? { accessTokenLifespan: Math.round(decision.expiresIn * 1000) } : {}),
        client,
        ...(Object.keys(response).length ? { extraResponse: async () => response } : {}),
      }
    },
  }
}
