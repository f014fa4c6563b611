import type { OAuth2Context } from '../context.ts'
import { checkAudience, parseAudience } from '../audience.ts'
import type { OAuth2Client } from '../../protocol/client.ts'
import { UnauthorizedClient } from '../../protocol/errors.ts'
import type { Issuance } from '../issue.ts'
import { lifespanOf } from '../lifespan.ts'
import { checkClientScopes, clientScopes, parseScope } from '../scope.ts'
import type { ClientGrant, TokenRequest } from './index.ts'

const GRANT = 'client_credentials'

/** RFC 6749 §4.4: the client acts on its own behalf; the subject is the client itself. */
export const clientCredentialsGrant: ClientGrant = {
  grantType: GRANT,
  params: ['scope', 'audience'],
  clientAuth: 'required',
  async handle(ctx: OAuth2Context, req: TokenRequest<OAuth2Client>): Promise<Issuance> {
    const client = req.client
    // RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients.
    if (client.token_endpoint_auth_method === 'none') {
      throw UnauthorizedClient.with({
        hint: `The OAuth 2.0 Client is public and thus not allowed to use authorization grant "${GRANT}".`,
      })
    }

    const requested = parseScope(req.params.get('scope'))
    // RFC 6749 §3.3: a scope the client may not have is refused with invalid_scope.
    checkClientScopes(ctx, client, requested)
    const granted =
      requested.length === 0 && ctx.config.oauth2.client_credentials.default_grant_allowed_scope ? clientScopes(client.scope) : requested

    const audience = parseAudience(req.params.get('audience'))
    checkAudience(client.audience ?? [], audience)

    return {
      subject: client.client_id,
      grantedScope: granted,
      grantedAudience: audience,
      requestedScope: requested,
      requestedAudience: audience,
      // RFC 6749 §4.4.3: a refresh token SHOULD NOT be included.
      refresh: false,
      accessTokenLifespan: lifespanOf(ctx, client, GRANT, 'access_token'),
    }
  },
}
