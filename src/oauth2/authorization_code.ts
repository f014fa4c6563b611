import type { OAuth2Context } from './context.ts'
import type { TokenRow } from '../store/types.ts'
import type { AuthorizeSession, CodeIssue } from './authorize_session.ts'
import { InvalidGrant } from '../protocol/errors.ts'
import { AUTHORIZE_CODE_PREFIX, mintOpaque, opaqueSignature } from './tokens/opaque.ts'
import { openSession, sealSession, type TokenSession } from './tokens/session.ts'
import { newRequestId } from './request_id.ts'

const GRANT = 'authorization_code'

/** A stored authorization code with its opened session. */
export interface StoredCode {
  row: TokenRow
  session: AuthorizeSession
  requested_scope: string[]
  requested_audience: string[]
}

/**
 * Mints an opaque authorization code (`ory_ac_…`, RFC 6749 §4.1.2) for a completed login + consent flow and
 * stores it by signature with the sealed AuthorizeSession; the code starts a new grant family.
 */
export async function mintAuthorizationCode(ctx: OAuth2Context, issue: CodeIssue): Promise<string> {
  const now = ctx.clock()
  const code = mintOpaque(ctx.config.secrets.system, AUTHORIZE_CODE_PREFIX, now)
  const session: TokenSession = {
    grant_type: GRANT,
    format: 'opaque',
    ext: { ...issue.session.access_token_claims },
    requested_scope: [...issue.requested_scope],
    requested_audience: [...issue.requested_audience],
    extra: { authorize: issue.session },
  }
  // Shares a commit with the token writes of concurrent requests (group commit).
  const row: TokenRow = {
    signature: code.signature,
    request_id: newRequestId(),
    client_id: issue.client.client_id,
    subject: issue.session.subject,
    granted_scope: [...issue.granted_scope],
    granted_audience: [...issue.granted_audience],
    session_data: sealSession(ctx, 'authorization_code', code.signature, session),
    active: true,
    requested_at: now,
    // RFC 6749 §4.1.2: a maximum authorization code lifetime of 10 minutes is RECOMMENDED (ttl.auth_code).
    expires_at: now + ctx.config.ttl.auth_code,
    flow_id: issue.session.consent_request_id,
    first_used_at: null,
    used_times: 0,
    access_token_signature: null,
  }
  await ctx.store.tokens.insertAll([['authorization_code', row]])
  return code.token
}

/** The signature of a well-formed code minted with one of the system secrets; invalid_grant otherwise. */
export function codeSignature(ctx: OAuth2Context, code: string): string {
  const signature = opaqueSignature(ctx.config.secrets.system, AUTHORIZE_CODE_PREFIX, code)
  if (!signature) throw InvalidGrant.with({ hint: 'The authorization code is malformed or was not issued by this server.' })
  return signature
}

/** Opens the session of a code row; invalid_grant when it cannot be opened (e.g. its secret was removed). */
export function openCode(ctx: OAuth2Context, row: TokenRow): StoredCode {
  const opened = openSession(ctx, 'authorization_code', row.signature, row.session_data)
  const authorize = opened?.extra['authorize'] as AuthorizeSession | undefined
  if (!opened || !authorize) throw InvalidGrant.with({ hint: 'The authorization code session could not be restored.' })
  return {
    row,
    session: authorize,
    requested_scope: opened.requested_scope,
    requested_audience: opened.requested_audience,
  }
}
