import type { OAuth2Context } from './context.ts'
import type { ClientRecord } from '../protocol/services.ts'
import { findToken } from './tokens/lookup.ts'

/**
 * RFC 7009 §2.1: revokes an access or refresh token and, as fosite does, every token of its grant family
 * (revoking a refresh token thereby revokes the access tokens issued from it). Unknown tokens are not an
 * error (RFC 7009 §2.2).
 */
export async function revokeToken(ctx: OAuth2Context, client: ClientRecord, token: string, tokenTypeHint?: string): Promise<void> {
  const found = await findToken(ctx, token, tokenTypeHint)
  if (!found) return
  // RFC 7009 §2.1: a token issued to another client MUST NOT be revoked. Like fosite, the refusal is answered
  // like success, so the response does not reveal whether another client's token exists.
  if (found.row.client_id !== client.client.client_id) {
    ctx.logger.info('refused to revoke a token of another client', { client_id: client.client.client_id })
    return
  }
  await ctx.store.tokens.revokeFamily(found.row.request_id)
}

/** Hydra's `DELETE /admin/oauth2/tokens?client_id=`: deletes every access token of a client. */
export const deleteClientAccessTokens = (ctx: OAuth2Context, clientId: string): Promise<number> =>
  ctx.store.tokens.deleteByClient('access_token', clientId)
