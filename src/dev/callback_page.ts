import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose'
import type { AppContext } from '../context.ts'
import { InvalidRequest, ServerError } from '../protocol/errors.ts'
import type { TokenResponse } from '../oauth2/issue.ts'
import { tokenEndpoint } from '../oauth2/token.ts'
import { demoActive } from './builtin_pages.ts'
import { DEMO_CLIENT_ID, demoAuthorizeUrl, demoRedirectUri, demoSecret, openDemoState, type DemoState } from './demo_client.ts'
import { guarded, html, inactive } from './outcome.ts'
import { h, page } from './page.ts'
import type { Outcome } from '../protocol/outcome.ts'

type Query = ReadonlyMap<string, string>

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

/** RFC 6749 §4.1.3 as the demo client: the code, its redirect URI, the PKCE verifier, client_secret_basic. */
function redeem(ctx: AppContext, code: string, state: DemoState): Promise<TokenResponse> {
  const params = new Map([
    ['grant_type', 'authorization_code'],
    ['code', code],
    ['redirect_uri', demoRedirectUri(ctx)],
    ['code_verifier', state.verifier],
  ])
  return tokenEndpoint(ctx, { params, authorization: basic(DEMO_CLIENT_ID, demoSecret(ctx)) })
}

/** OIDC Core §3.1.3.7: signature by a published key, iss, aud and the nonce of the request. */
async function verifyIdToken(ctx: AppContext, idToken: string, nonce: string): Promise<JWTPayload> {
  try {
    const jwks = createLocalJWKSet(await ctx.keys.publicJwks())
    const options = { issuer: ctx.issuer, audience: DEMO_CLIENT_ID, currentDate: new Date(ctx.clock()) }
    const { payload } = await jwtVerify(idToken, jwks, options)
    if (payload.nonce !== nonce) throw new Error('the nonce does not match the request')
    return payload
  } catch (err) {
    throw ServerError.with({ hint: `The ID token failed verification: ${(err as Error).message}.` })
  }
}

const again = (ctx: AppContext) => `<p><a href="${h(demoAuthorizeUrl(ctx))}">Sign in again</a></p>`

const pre = (id: string, text: string) => `<pre id="${id}">${h(text)}</pre>`

function tokensPage(ctx: AppContext, tokens: TokenResponse, idToken: string, claims: JWTPayload): string {
  const signOut = new URL(`${ctx.publicUrl}/oauth2/sessions/logout`)
  signOut.searchParams.set('id_token_hint', idToken)
  const body =
    `<h1>Signed in as ${h(String(claims.sub))}</h1>` +
    '<p class="muted">The demo client redeemed the authorization code with its PKCE verifier and client secret, ' +
    "and verified the ID token's signature, issuer, audience and nonce.</p>" +
    `<dl><dt>token_type</dt><dd>${h(tokens.token_type)}</dd><dt>expires_in</dt><dd>${h(String(tokens.expires_in))}</dd>` +
    `<dt>scope</dt><dd id="scope">${h(tokens.scope)}</dd></dl>` +
    '<h2>Access token</h2>' + pre('access_token', tokens.access_token) +
    (tokens.refresh_token ? '<h2>Refresh token</h2>' + pre('refresh_token', tokens.refresh_token) : '') +
    '<h2>ID token</h2>' + pre('id_token', idToken) +
    '<h2>ID token claims</h2>' + pre('id_token_claims', JSON.stringify(claims, null, 2)) +
    '<h2>Try it</h2>' +
    pre('userinfo_command', `curl -s ${ctx.publicUrl}/userinfo -H 'Authorization: Bearer ${tokens.access_token}'`) +
    pre('introspect_command', `curl -s ${ctx.adminUrl}/admin/oauth2/introspect -d 'token=${tokens.access_token}'`) +
    `<p><a href="${h(demoAuthorizeUrl(ctx))}">Sign in again</a> · <a id="sign_out" href="${h(signOut.href)}">Sign out</a></p>`
  return page('Signed in', body, { wide: true })
}

/**
 * `GET /oauth2/fallbacks/callback`: the demo client's redirect URI. It checks `state` and `iss` (RFC 9207),
 * redeems the code, verifies the ID token and shows the tokens; an error response is shown as such.
 */
export function showCallback(ctx: AppContext, query: Query): Promise<Outcome> {
  if (!demoActive(ctx.config)) return Promise.resolve(inactive('callback'))
  return guarded(async () => {
    const error = query.get('error')
    if (error !== undefined) {
      const body =
        '<h1>The request was not granted</h1>' +
        `<p class="error"><code>${h(error)}</code></p><p>${h(query.get('error_description') ?? '')}</p>` +
        again(ctx)
      return html(400, page('Not granted', body))
    }
    const state = openDemoState(ctx, query.get('state') ?? '')
    if (!state) throw InvalidRequest.with({ hint: 'The state is not one the demo client issued.' })
    // RFC 9207 §2.4: the response must come from the issuer the request went to.
    if (query.get('iss') !== ctx.issuer) throw InvalidRequest.with({ hint: 'The iss parameter does not name this issuer.' })
    const code = query.get('code')
    if (!code) throw InvalidRequest.with({ hint: 'The response carries no code.' })
    const tokens = await redeem(ctx, code, state)
    const idToken = tokens.id_token
    if (typeof idToken !== 'string') throw ServerError.with({ hint: 'The token response carries no ID token.' })
    return html(200, tokensPage(ctx, tokens, idToken, await verifyIdToken(ctx, idToken, state.nonce)))
  })
}
