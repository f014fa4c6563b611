import type { OAuth2Client } from '../protocol/client.ts'
import type { OAuth2Context } from './context.ts'
import type { TokenKind, TokenRow } from '../store/types.ts'
import { ServerError } from '../protocol/errors.ts'
import { withDefaults } from '../clients/defaults.ts'
import { deepFreeze } from '../util/deep_freeze.ts'
import { expiryOf, lifespanOf } from './lifespan.ts'
import { ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX, mintOpaque } from './tokens/opaque.ts'
import { signJwtAccessToken } from './tokens/jwt.ts'
import { sealSession, type TokenSession } from './tokens/session.ts'
import { newRequestId } from './request_id.ts'

/**
 * What a grant decided to issue. The token endpoint core mints and stores the tokens from it; a grant
 * never mints tokens itself.
 */
export interface Issuance {
  /** The resource owner the tokens act for (`sub`); the client id for client_credentials. */
  subject: string
  /** Scopes granted, already checked against the client and the request. */
  grantedScope: readonly string[]
  /** Audiences granted, already checked against the client and the request. */
  grantedAudience: readonly string[]
  /** Scopes as requested; kept with the tokens for later grants. Defaults to the granted scopes. */
  requestedScope?: readonly string[]
  /** Audiences as requested; kept with the tokens for later grants. Defaults to the granted audiences. */
  requestedAudience?: readonly string[]
  /**
   * Hydra's `session.access_token`: `ext` in introspection and in JWT access tokens, whose top level also
   * receives the claims named in `oauth2.allowed_top_level_claims`.
   */
  accessTokenClaims?: Readonly<Record<string, unknown>>
  /** Whether to issue a refresh token (`ory_rt_…`) beside the access token. */
  refresh: boolean
  /** Access token lifetime in ms; defaults to the client's lifespan for the grant, else `ttl.access_token`. */
  accessTokenLifespan?: number
  /** Refresh token lifetime in ms (-1: never expires); defaults like the access token's (`ttl.refresh_token`). */
  refreshTokenLifespan?: number
  /**
   * Scopes of the refresh token when they differ from the access token's: RFC 6749 §6, a refresh token issued
   * on refresh keeps the scope of the one presented even when the access token's scope was narrowed.
   */
  refreshTokenScope?: readonly string[]
  /** The grant family shared by every token descended from one authorization; a new family when absent. */
  requestId?: string
  /** The consent flow the tokens descend from, if any. */
  flowId?: string | null
  /** The client the tokens are issued to; defaults to the authenticated client. */
  client?: OAuth2Client
  /** Grant-specific state sealed with the tokens (for example ID token claims for a later refresh). */
  session?: Readonly<Record<string, unknown>>
  /**
   * Adds members to the token response (for example an `id_token` carrying `at_hash`). Called as soon as the
   * tokens are minted, while they are being stored, so that slow work such as signing overlaps the write;
   * `stored` settles once they are stored, and whatever needs them to exist (a read of the store) must await
   * it first. Nothing it returns is handed out unless the tokens were stored. The members the core sets
   * cannot be replaced.
   */
  extraResponse?: (minted: MintedTokens, stored: Promise<void>) => Promise<Readonly<Record<string, unknown>>>
}

/** The tokens the core minted for an Issuance. */
export interface MintedTokens {
  access_token: string
  refresh_token?: string
  /** The grant family the tokens belong to. */
  request_id: string
  /** Epoch ms of issuance. */
  issued_at: number
  /** Access token lifetime in ms. */
  expires_in_ms: number
  /** The grant-specific session as stored with the tokens, after hooks added their claims; ID tokens are minted from it. */
  session: Readonly<Record<string, unknown>>
}

/** RFC 6749 §5.1 successful token response. */
export type TokenResponse = Record<string, unknown> & {
  access_token: string
  token_type: 'bearer'
  expires_in: number
  scope: string
  refresh_token?: string
}

const RESPONSE_MEMBERS = new Set(['access_token', 'token_type', 'expires_in', 'scope', 'refresh_token'])

const isStrings = (v: unknown): v is readonly string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')
const isLifespan = (v: unknown, allowNever: boolean) =>
  v === undefined || (typeof v === 'number' && Number.isFinite(v) && (v > 0 || (allowNever && v === -1)))

function failClosed(grantType: string, why: string): never {
  throw ServerError.with({ hint: `The grant "${grantType}" did not decide what to issue.`, debug: why })
}

/**
 * The client of tokens issued to no client: an open grant (`clientAuth: 'optional'`) that allows a request without
 * one names it as `issuance.client` (RFC 7523 §3.1: a jwt-bearer assertion needs no client authentication). The
 * tokens carry the empty client id, as Hydra's do when it skips client authentication.
 */
export const NO_CLIENT: OAuth2Client = deepFreeze({
  ...withDefaults({ client_id: '', token_endpoint_auth_method: 'none' }, { subjectTypes: ['public'], newId: () => '' }),
  grant_types: [],
  response_types: [],
  created_at: '',
  updated_at: '',
})

/** A grant's decision that passed decide(): complete, and with the client the tokens go to. */
export interface Decision {
  readonly grantType: string
  readonly client: OAuth2Client
  readonly issuance: Issuance
}

/**
 * Checks a grant's decision once, before anything is minted: anything but a complete Issuance fails closed with
 * server_error, so a faulty grant issues nothing. The tokens go to `issuance.client`, else the authenticated one.
 */
export function decide(grantType: string, i: Issuance | null | undefined, authenticated: OAuth2Client | null): Decision {
  if (!i || typeof i !== 'object') failClosed(grantType, 'no issuance')
  if (typeof i.subject !== 'string' || !i.subject) failClosed(grantType, 'subject')
  if (!isStrings(i.grantedScope) || !isStrings(i.grantedAudience)) failClosed(grantType, 'granted scope or audience')
  if (i.refreshTokenScope !== undefined && !isStrings(i.refreshTokenScope)) failClosed(grantType, 'refresh token scope')
  if (typeof i.refresh !== 'boolean') failClosed(grantType, 'refresh')
  if (!isLifespan(i.accessTokenLifespan, false) || !isLifespan(i.refreshTokenLifespan, true)) failClosed(grantType, 'lifespan')
  const client = i.client ?? authenticated
  if (!client || (!client.client_id && client !== NO_CLIENT)) failClosed(grantType, 'client')
  return { grantType, client, issuance: i }
}

/** What every token of one issuance shares: its family, time, scope, audience, session and row fields. */
interface Grant {
  readonly decision: Decision
  readonly now: number
  readonly scope: string[]
  readonly audience: string[]
  readonly atLifespan: number
  readonly session: TokenSession
  readonly base: Omit<TokenRow, 'signature' | 'session_data' | 'expires_at' | 'access_token_signature'>
}

type Minted = { token: string; signature: string }

function grantOf(ctx: OAuth2Context, decision: Decision): Grant {
  const { grantType, client, issuance } = decision
  const now = ctx.clock()
  const scope = [...issuance.grantedScope]
  const audience = [...issuance.grantedAudience]
  const session: TokenSession = {
    grant_type: grantType,
    format: 'opaque',
    ext: { ...issuance.accessTokenClaims },
    requested_scope: [...(issuance.requestedScope ?? scope)],
    requested_audience: [...(issuance.requestedAudience ?? audience)],
    extra: { ...issuance.session },
  }
  const base = {
    request_id: issuance.requestId ?? newRequestId(),
    client_id: client.client_id,
    subject: issuance.subject,
    granted_scope: scope,
    granted_audience: audience,
    active: true,
    requested_at: now,
    flow_id: issuance.flowId ?? null,
    first_used_at: null,
    used_times: 0,
  }
  const atLifespan = issuance.accessTokenLifespan ?? lifespanOf(ctx, client, grantType, 'access_token')
  return { decision, now, scope, audience, atLifespan, session, base }
}

/** The access token's row, sealing the session as it stands. */
function accessRow(ctx: OAuth2Context, g: Grant, access: Minted): TokenRow {
  return {
    ...g.base,
    signature: access.signature,
    session_data: sealSession(ctx, 'access_token', access.signature, g.session),
    expires_at: g.now + g.atLifespan,
    access_token_signature: null,
  }
}

/** An opaque access token (`ory_at_…`) and its row. */
function opaqueAccessToken(ctx: OAuth2Context, g: Grant): { access: Minted; row: TokenRow } {
  const access = mintOpaque(ctx.config.secrets.system, ACCESS_TOKEN_PREFIX, g.now)
  return { access, row: accessRow(ctx, g, access) }
}

/** An RFC 9068 JWT access token and its row, stored by signature with the digest of what was signed. */
async function jwtAccessToken(ctx: OAuth2Context, g: Grant): Promise<{ access: Minted; row: TokenRow }> {
  const { client, issuance } = g.decision
  const jwt = await signJwtAccessToken(ctx, {
    clientId: client.client_id,
    subject: issuance.subject,
    scope: g.scope,
    audience: g.audience,
    ext: g.session.ext,
    issuedAt: g.now,
    expiresAt: g.now + g.atLifespan,
  })
  g.session.format = 'jwt'
  g.session.jwt_digest = jwt.digest
  return { access: jwt, row: accessRow(ctx, g, jwt) }
}

/** The refresh token beside `access`, and its row (RFC 6749 §6: its own scope when the grant says so). */
function mintRefreshToken(ctx: OAuth2Context, g: Grant, access: Minted): { refresh: Minted; row: TokenRow } {
  const { grantType, client, issuance } = g.decision
  const refresh = mintOpaque(ctx.config.secrets.system, REFRESH_TOKEN_PREFIX, g.now)
  const rtLifespan = issuance.refreshTokenLifespan ?? lifespanOf(ctx, client, grantType, 'refresh_token')
  const { jwt_digest: _, ...refreshSession } = g.session
  const row: TokenRow = {
    ...g.base,
    ...(issuance.refreshTokenScope ? { granted_scope: [...issuance.refreshTokenScope] } : {}),
    signature: refresh.signature,
    session_data: sealSession(ctx, 'refresh_token', refresh.signature, { ...refreshSession, format: 'opaque' }),
    expires_at: expiryOf(g.now, rtLifespan),
    // The access token issued beside it, so rotation can retire exactly that one.
    access_token_signature: access.signature,
  }
  return { refresh, row }
}

/**
 * Stores the rows (all or none; concurrent requests share one commit) while the grant's extra response is being
 * built, and answers RFC 6749 §5.1. Tokens whose extra response fails are deactivated: they are never handed out.
 */
async function storeAndRespond(ctx: OAuth2Context, g: Grant, access: Minted, refresh: Minted | null, rows: [TokenKind, TokenRow][]): Promise<TokenResponse> {
  const minted: MintedTokens = {
    access_token: access.token,
    request_id: g.base.request_id,
    issued_at: g.now,
    expires_in_ms: g.atLifespan,
    session: g.session.extra,
  }
  if (refresh) minted.refresh_token = refresh.token
  const stored = ctx.store.tokens.insertAll(rows)
  const { extraResponse } = g.decision.issuance
  // Called at once (a throw becomes a rejection) and settled below, after the write; a failed write must not leave it unhandled.
  const extra = extraResponse && (async () => extraResponse(minted, stored))()
  extra?.catch(() => {})
  await stored

  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: Math.round(g.atLifespan / 1000),
    scope: g.scope.join(' '),
  }
  if (refresh) response.refresh_token = refresh.token
  if (extra) {
    let members: Readonly<Record<string, unknown>>
    try {
      members = await extra
    } catch (err) {
      // Tokens that cannot be handed out must not stay usable.
      for (const [kind, r] of rows) await ctx.store.tokens.deactivate(kind, r.signature)
      throw err
    }
    for (const [name, value] of Object.entries(members ?? {})) if (!RESPONSE_MEMBERS.has(name)) response[name] = value
  }
  return response
}

/**
 * Mints what a decision grants (the core's half of "the grant decides, the core mints"): the access token and, when
 * asked, a refresh token, stored by signature in one transaction with sealed session data; then the response.
 */
export async function mintTokens(ctx: OAuth2Context, decision: Decision): Promise<TokenResponse> {
  const grant = grantOf(ctx, decision)
  // Opaque tokens are minted without yielding, so the store write starts within the request's first turn.
  const jwt = (decision.client.access_token_strategy ?? ctx.config.strategies.access_token) === 'jwt'
  const { access, row } = jwt ? await jwtAccessToken(ctx, grant) : opaqueAccessToken(ctx, grant)
  const rows: [TokenKind, TokenRow][] = [['access_token', row]]
  const refresh = decision.issuance.refresh ? mintRefreshToken(ctx, grant, access) : null
  if (refresh) rows.push(['refresh_token', refresh.row])
  return storeAndRespond(ctx, grant, access, refresh?.refresh ?? null, rows)
}

/** decide() then mintTokens(), for callers outside the token endpoint. */
export async function issueTokens(
  ctx: OAuth2Context,
  grantType: string,
  authenticated: OAuth2Client | null,
  issuance: Issuance | null | undefined,
): Promise<TokenResponse> {
  return mintTokens(ctx, decide(grantType, issuance, authenticated))
}
