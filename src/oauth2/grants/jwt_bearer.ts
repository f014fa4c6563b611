import type { JWTPayload } from 'jose'
import type { OAuth2Client } from '../../protocol/client.ts'
import { InvalidGrant } from '../../protocol/errors.ts'
import { pipeline } from '../../protocol/pipeline.ts'
import { seconds } from '../../util/clock.ts'
import { checkAudience, parseAudience } from '../audience.ts'
import { checkAssertionLifetime, rememberJti, tokenEndpointAudiences } from '../client_auth/client_assertion.ts'
import type { OAuth2Context } from '../context.ts'
import { NO_CLIENT, type Issuance } from '../issue.ts'
import { checkClientScopes, parseScope } from '../scope.ts'
import type { OpenGrant, TokenRequest } from './index.ts'
import { GRANT_ASSERTION, readAssertion, type PresentedAssertion } from './jwt_bearer/assertion.ts'
import { checkTrustedScopes } from './jwt_bearer/trusted_scope.ts'
import { verifyWithTrustedKey, type TrustedAssertion } from './jwt_bearer/trusted_key.ts'

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

interface Received {
  readonly ctx: OAuth2Context
  readonly req: TokenRequest<OAuth2Client | null>
}

const present = ({ req }: Received) => ({ presented: readAssertion(req.params) })

const verify = ({ ctx, req, presented }: Received & { presented: PresentedAssertion }) => {
  const { iat_optional, jti_optional } = ctx.config.oauth2.grant.jwt
  return verifyWithTrustedKey(
    ctx,
    presented,
    {
      // RFC 7523 §3 item 3: aud identifies this authorization server; item 4: exp is required.
      audience: tokenEndpointAudiences(ctx),
      requiredClaims: ['exp', ...(iat_optional ? [] : ['iat']), ...(jti_optional ? [] : ['jti'])],
    },
    req.requestedAt,
  )
}

// RFC 7523 §3 items 5–6: not issued in the future, and valid for at most oauth2.grant.jwt.max_ttl.
const checkLifetime = ({ ctx, req, payload }: Received & TrustedAssertion) =>
  checkAssertionLifetime(payload, req.requestedAt, seconds(ctx.config.oauth2.grant.jwt.max_ttl), GRANT_ASSERTION)

const grantScope = ({ ctx, req, trusts }: Received & TrustedAssertion) => {
  const scope = parseScope(req.params.get('scope'))
  checkTrustedScopes(ctx, trusts, scope)
  // RFC 6749 §3.3: never more than an authenticated client may have.
  if (req.client) checkClientScopes(ctx, req.client, scope)
  return { scope }
}

const grantAudience = ({ ctx, req, payload }: Received & TrustedAssertion) => {
  const requested = parseAudience(req.params.get('audience'))
  checkAudience(req.client?.audience ?? [], requested)
  if (ctx.config.oauth2.grant.jwt.omit_assertion_audience) return { requested, audience: requested }
  const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? [])
  return { requested, audience: [...new Set([...requested, ...aud])] }
}

const spendJti = async ({ ctx, req, payload }: Received & { payload: JWTPayload }) => {
  const { jti } = payload
  if (jti === undefined) return
  if (typeof jti !== 'string' || !jti) throw InvalidGrant.with({ hint: 'The assertion claim "jti" must be a non-empty string.' })
  // RFC 7523 §3 item 7: a jti is used once; it is remembered until the assertion expires.
  if (!(await rememberJti(ctx, payload.iss!, jti, payload.exp!, req.requestedAt))) {
    throw InvalidGrant.with({ hint: 'The assertion jti has already been used.' })
  }
}

/** Every check of a jwt-bearer token request, in order; the jti is spent last, once everything else holds. */
const JWT_BEARER = pipeline<Received>()
  .then(present)
  .then(verify)
  .then(checkLifetime)
  .then(grantScope)
  .then(grantAudience)
  .then(spendJti)

/**
 * RFC 7523 §2.1: a JWT from a trusted issuer (Hydra's trust API) is exchanged for an access token acting for its
 * subject. Client authentication is optional (§3.1); without a client, the tokens go to no client. As in Hydra,
 * no refresh token and no ID token are issued.
 */
export const jwtBearerGrant: OpenGrant = {
  grantType: JWT_BEARER_GRANT,
  params: ['assertion', 'scope', 'audience'],
  clientAuth: 'optional',
  async handle(ctx: OAuth2Context, req: TokenRequest<OAuth2Client | null>): Promise<Issuance> {
    const { payload, scope, requested, audience } = await JWT_BEARER.run({ ctx, req })
    return {
      subject: payload.sub!,
      grantedScope: scope,
      grantedAudience: audience,
      requestedAudience: requested,
      refresh: false,
      ...(req.client ? {} : { client: NO_CLIENT }),
    }
  },
}
