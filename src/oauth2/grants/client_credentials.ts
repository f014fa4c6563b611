import type { OAuth2Context } from '../context.ts'
import { checkAudience, parseAudience } from '../audience.ts'
import { InvalidScope, ServerError, UnauthorizedClient } from '../../protocol/errors.ts'
import type { Issuance } from '../issue.ts'
import { lifespanOf } from '../lifespan.ts'
import { clientScopes, parseScope, scopeStrategy } from '../scope.ts'
import type { GrantHandler, TokenRequest } from './index.ts'

const GRANT = 'client_credentials'

/** RFC 6749 §4.4: the client acts on its own behalf; the subject is the client itself. */
export const clientCredentialsGrant: GrantHandler = {
  grantType: GRANT,
  params: ['scope', 'audience'],
  clientAuth: 'required',
  async handle(ctx: OAuth2Context, req: TokenRequest): Promise<Issuance> {
    const client = req.client
    if (!client) throw ServerError.with({ debug: 'client_credentials reached without a client' })
    // RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients.
    if (client.token_endpoint_auth_method === 'none') {
      throw UnauthorizedClient.with({
        hint: `The OAuth 2.0 Client is public and thus not allowed to use authorization grant "${GRANT}".`,
      })
    }

    const allowed = clientScopes(client.scope)
    const requested = parseScope(req.params.get('scope'))
    const strategy = scopeStrategy(ctx)
    // RFC 6749 §3.3: a scope the client may not have is refused with invalid_scope.
    for (const scope of requested) {
      if (!strategy(allowed, scope)) {
        throw InvalidScope.with({ hint: `The OAuth 2.0 Client is not allowed to request scope "${scope}".` })
      }
    }
    const granted =
      requested.length === 0 && ctx.config.oauth2.client_credentials.default_grant_allowed_scope ? allowed : requested

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
