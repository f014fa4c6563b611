import {
  definePlugin,
  InvalidRequest,
  InvalidScope,
  InvalidTarget,
  Type,
  type GrantDecision,
  type GrantRequest,
} from 'gatehouse/plugin'
import { TOKEN_TYPE, TokenValidator, type PresentedToken } from './token_types.ts'

/** RFC 8693 §2.1: the grant type of a token exchange. */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'

const options = Type.Object({
  trusted_issuers: Type.Array(
    Type.Object(
      {
        issuer: Type.String({ minLength: 1 }),
        jwks_uri: Type.String({ pattern: '^https?://' }),
        audience: Type.Optional(Type.String({ minLength: 1 })),
      },
      { additionalProperties: false },
    ),
    { default: [], description: 'Issuers whose JWTs (subject_token_type jwt) are accepted, verified with their JWKS.' },
  ),
  refresh_token: Type.Boolean({ default: false, description: 'Issue a refresh token (to clients allowed the refresh_token grant).' }),
  expires_in: Type.Optional(Type.Integer({ minimum: 1, description: 'Lifetime of issued access tokens in seconds; default ttl.access_token.' })),
})

const split = (value: string | undefined) => [...new Set((value ?? '').split(' ').filter(Boolean))]

/** RFC 8707 §2: a resource is an absolute URI without a fragment. */
function resources(value: string | undefined): string[] {
  return split(value).map((r) => {
    let ok = false
    try {
      ok = !r.includes('#') && Boolean(new URL(r).protocol)
    } catch {}
    if (!ok) throw InvalidTarget.with({ hint: `The resource "${r}" must be an absolute URI without a fragment.` })
    return r
  })
}

/** RFC 8693 §4.4: when the subject token names who may act for it, the actor must be one of them. */
function checkMayAct(subject: PresentedToken, actor: PresentedToken) {
  if (subject.mayAct === undefined) return
  const allowed = (Array.isArray(subject.mayAct) ? subject.mayAct : [subject.mayAct]) as { sub?: unknown }[]
  if (!allowed.some((m) => m && m.sub === actor.subject)) {
    throw InvalidRequest.with({ hint: 'The actor_token subject is not allowed to act for the subject_token (may_act).' })
  }
}

function scopeOf(requested: string[], subject: PresentedToken): string[] {
  // A token of this server cannot be exchanged for more scope than it carries.
  const missing = subject.scope ? requested.filter((s) => !subject.scope!.includes(s)) : []
  if (missing.length) throw InvalidScope.with({ hint: `The subject_token does not carry scope "${missing[0]}".` })
  return requested
}

/** OAuth 2.0 Token Exchange (RFC 8693) as a custom grant: an access token for the subject of another token. */
export default definePlugin({
  name: 'token-exchange',
  version: '1.0.0',
  options,
  setup(api) {
    const validator = new TokenValidator(api, api.options.trusted_issuers)
    async function handle(req: GrantRequest): Promise<GrantDecision> {
      const p = req.params
      const client = req.client!
      const subjectToken = p.get('subject_token')
      const subjectType = p.get('subject_token_type')
      // RFC 8693 §2.1: subject_token and subject_token_type are REQUIRED.
      if (!subjectToken || !subjectType) throw InvalidRequest.with({ hint: 'subject_token and subject_token_type are required.' })
      const requestedType = p.get('requested_token_type') ?? TOKEN_TYPE.accessToken
      if (requestedType !== TOKEN_TYPE.accessToken) {
        throw InvalidRequest.with({ hint: `The requested_token_type "${requestedType}" is not supported; only access tokens are issued.` })
      }
      const subject = await validator.validate('subject_token', subjectToken, subjectType, client.client_id)
      const claims: Record<string, unknown> = {}
      const actorToken = p.get('actor_token')
      const actorType = p.get('actor_token_type')
      // RFC 8693 §2.1: actor_token_type is REQUIRED with an actor_token and MUST NOT be sent without one.
      if (Boolean(actorToken) !== Boolean(actorType)) {
        throw InvalidRequest.with({ hint: 'actor_token and actor_token_type must be sent together.' })
      }
      if (actorToken && actorType) {
        const actor = await validator.validate('actor_token', actorToken, actorType, client.client_id)
        checkMayAct(subject, actor)
        // RFC 8693 §4.1: the current actor, with the prior chain nested inside.
        claims.act = actor.act === undefined ? { sub: actor.subject } : { sub: actor.subject, act: actor.act }
      } else if (subject.act !== undefined) {
        claims.act = subject.act
      }
      return {
        subject: subject.subject,
        scope: scopeOf(split(p.get('scope')), subject),
        audience: [...new Set([...split(p.get('audience')), ...resources(p.get('resource'))])],
        accessTokenClaims: claims,
        refreshToken: api.options.refresh_token,
        ...(api.options.expires_in ? { expiresIn: api.options.expires_in } : {}),
        // RFC 8693 §2.2.1: issued_token_type is REQUIRED.
        response: { issued_token_type: TOKEN_TYPE.accessToken },
      }
    }
    api.grant({
      grantType: TOKEN_EXCHANGE,
      params: ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'audience', 'resource', 'scope'],
      clientAuth: 'required',
      handle,
    })
  },
})
