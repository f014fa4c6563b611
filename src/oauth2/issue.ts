import type { OAuth2Client } from '../protocol/client.ts'
import type { OAuth2Context } from './context.ts'
import type { TokenKind, TokenRow } from '../store/types.ts'
import { ServerError } from '../protocol/errors.ts'
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

/** Rejects anything but a complete decision, so a faulty grant issues nothing. */
export function checkIssuance(grantType: string, i: Issuance | null | undefined, client: OAuth2Client | null): asserts i is Issuance {
  if (!i || typeof i !== 'object') failClosed(grantType, 'no issuance')
  if (typeof i.subject !== 'string' || !i.subject) failClosed(grantType, 'subject')
  if (!isStrings(i.grantedScope) || !isStrings(i.grantedAudience)) failClosed(grantType, 'granted scope or audience')
  if (i.refreshTokenScope !== undefined && !isStrings(i.refreshTokenScope)) failClosed(grantType, 'refresh token scope')
  if (typeof i.refresh !== 'boolean') failClosed(grantType, 'refresh')
  if (!isLifespan(i.accessTokenLifespan, false) || !isLifespan(i.refreshTokenLifespan, true)) failClosed(grantType, 'lifespan')
  if (!(i.client ?? client)?.client_id) failClosed(grantType, 'client')
}

/**
 * Mints the access token (opaque or JWT per `access_token_strategy` / `strategies.access_token`) and, when
 * asked, a refresh token, stores both by signature in one transaction with sealed session data, and builds
 * the token response.
 */
export async function issueTokens(
  ctx: OAuth2Context,
  grantType: string,
  authenticated: OAuth2Client | null,
  issuance: Issuance | null | undefined,
): Promise<TokenResponse> {
  checkIssuance(grantType, issuance, authenticated)
  const client = (issuance.client ?? authenticated)!
  const now = ctx.clock()
  const requestId = issuance.requestId ?? newRequestId()
  const scope = [...issuance.grantedScope]
  const audience = [...issuance.grantedAudience]
  const atLifespan = issuance.accessTokenLifespan ?? lifespanOf(ctx, client, grantType, 'access_token')
  const ext = { ...issuance.accessTokenClaims }
  const session: TokenSession = {
    grant_type: grantType,
    format: 'opaque',
    ext,
    requested_scope: [...(issuance.requestedScope ?? scope)],
    requested_audience: [...(issuance.requestedAudience ?? audience)],
    extra: { ...issuance.session },
  }

  const base = {
    request_id: requestId,
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
  const rows: [TokenKind, TokenRow][] = []

  const strategy = client.access_token_strategy ?? ctx.config.strategies.access_token
  let access: { token: string; signature: string }
  if (strategy === 'jwt') {
    const jwt = await signJwtAccessToken(ctx, {
      clientId: client.client_id,
      subject: issuance.subject,
      scope,
      audience,
      ext,
      issuedAt: now,
      expiresAt: now + atLifespan,
    })
    access = jwt
    session.format = 'jwt'
    session.jwt_digest = jwt.digest
  } else {
    access = mintOpaque(ctx.config.secrets.system, ACCESS_TOKEN_PREFIX, now)
  }
  rows.push([
    'access_token',
    {
      ...base,
      signature: access.signature,
      session_data: sealSession(ctx, 'access_token', access.signature, session),
      expires_at: now + atLifespan,
      access_token_signature: null,
    },
  ])

  let refresh: { token: string; signature: string } | undefined
  if (issuance.refresh) {
    refresh = mintOpaque(ctx.config.secrets.system, REFRESH_TOKEN_PREFIX, now)
    const rtLifespan = issuance.refreshTokenLifespan ?? lifespanOf(ctx, client, grantType, 'refresh_token')
    const { jwt_digest: _, ...refreshSession } = session
    rows.push([
      'refresh_token',
      {
        ...base,
        ...(issuance.refreshTokenScope ? { granted_scope: [...issuance.refreshTokenScope] } : {}),
        signature: refresh.signature,
        session_data: sealSession(ctx, 'refresh_token', refresh.signature, { ...refreshSession, format: 'opaque' }),
        expires_at: expiryOf(now, rtLifespan),
        // The access token issued beside it, so rotation can retire exactly that one.
        access_token_signature: access.signature,
      },
    ])
  }

  const minted: MintedTokens = {
    access_token: access.token,
    request_id: requestId,
    issued_at: now,
    expires_in_ms: atLifespan,
    session: session.extra,
  }
  if (refresh) minted.refresh_token = refresh.token

  // All or none; concurrent requests share one commit (group commit).
  const stored = ctx.store.tokens.insertAll(rows)
  const { extraResponse } = issuance
  // Called at once (a throw becomes a rejection) and settled below, after the write; a failed write must not leave it unhandled.
  const extra = extraResponse && (async () => extraResponse(minted, stored))()
  extra?.catch(() => {})
  await stored

  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: Math.round(atLifespan / 1000),
    scope: scope.join(' '),
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
