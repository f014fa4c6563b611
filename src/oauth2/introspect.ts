import type { CoreContext } from '../protocol/context.ts'
import { NEVER_EXPIRES } from './lifespan.ts'
import { parseScope, scopeStrategy } from './scope.ts'
import { findToken, isActive } from './tokens/lookup.ts'
import { seconds } from '../util/clock.ts'

/** Hydra's introspectedOAuth2Token (RFC 7662 §2.2). */
export interface IntrospectedToken {
  active: boolean
  scope?: string
  client_id?: string
  sub?: string
  exp?: number
  iat?: number
  nbf?: number
  aud?: string[]
  iss?: string
  token_type?: 'Bearer'
  token_use?: 'access_token' | 'refresh_token'
  ext?: Record<string, unknown>
}

const INACTIVE: IntrospectedToken = { active: false }

export interface IntrospectOptions {
  /** Space-separated scopes the token must have been granted (per `strategies.scope`), else it is inactive. */
  scope?: string
  tokenTypeHint?: string
}

/**
 * RFC 7662 §2: the state of an access or refresh token (opaque or JWT). Unknown, malformed, revoked and
 * expired tokens, and tokens lacking a required scope, are all just `{active: false}` (RFC 7662 §2.2).
 */
export async function introspectToken(ctx: CoreContext, token: string, opts: IntrospectOptions = {}): Promise<IntrospectedToken> {
  let required: string[]
  try {
    required = parseScope(opts.scope)
  } catch {
    return INACTIVE
  }
  const found = await findToken(ctx, token, opts.tokenTypeHint)
  if (!found || !isActive(found.row, ctx.clock())) return INACTIVE
  const { row, session, kind } = found
  const strategy = scopeStrategy(ctx)
  if (!required.every((scope) => strategy(row.granted_scope, scope))) return INACTIVE

  const result: IntrospectedToken = {
    active: true,
    scope: row.granted_scope.join(' '),
    client_id: row.client_id,
    sub: row.subject,
    iat: seconds(row.requested_at),
    nbf: seconds(row.requested_at),
    aud: row.granted_audience,
    iss: ctx.issuer,
    token_type: 'Bearer',
    token_use: kind,
  }
  if (row.expires_at !== NEVER_EXPIRES) result.exp = seconds(row.expires_at)
  if (Object.keys(session.ext).length) result.ext = session.ext
  return result
}
