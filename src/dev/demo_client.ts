import { createHash, createHmac, randomBytes } from 'node:crypto'
import { createClient, replaceClient } from '../clients/service.ts'
import type { AppContext } from '../context.ts'
import { DEVICE_CODE_GRANT } from '../oauth2/device_code.ts'
import { OAuthError } from '../protocol/errors.ts'
import { DEMO_CALLBACK_PATH } from './builtin_pages.ts'

/** The demo client's fixed id: starting again finds it instead of adding another. */
export const DEMO_CLIENT_ID = 'gatehouse-demo'
/** What the client may ask for, and what the printed authorize URL asks for. */
const DEMO_CLIENT_SCOPE = 'openid offline_access profile email'
const DEMO_REQUEST_SCOPE = 'openid offline_access profile'
const STATE_AAD = 'dev_demo_state'

export interface DemoClient {
  client_id: string
  client_secret: string
  redirect_uri: string
}

/** What the callback needs to finish the request it started: the PKCE verifier and the nonce. */
export interface DemoState {
  verifier: string
  nonce: string
}

export const demoRedirectUri = (ctx: Pick<AppContext, 'publicUrl'>) => `${ctx.publicUrl}${DEMO_CALLBACK_PATH}`

/**
 * The demo client's secret, derived from the active system secret: every node and every restart with the same
 * secret agree on it, so nothing has to be kept, and the callback page can authenticate as the client.
 */
export const demoSecret = (ctx: Pick<AppContext, 'config'>) =>
  createHmac('sha256', ctx.config.secrets.system[0] ?? '').update('gatehouse demo client secret').digest('base64url')

function demoDocument(ctx: AppContext, secret: string) {
  return {
    client_id: DEMO_CLIENT_ID,
    client_name: 'Gatehouse demo',
    grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
    response_types: ['code'],
    scope: DEMO_CLIENT_SCOPE,
    redirect_uris: [demoRedirectUri(ctx)],
    token_endpoint_auth_method: 'client_secret_basic',
    client_secret: secret,
  }
}

async function isCurrent(ctx: AppContext, doc: ReturnType<typeof demoDocument>): Promise<boolean> {
  const record = await ctx.clients.get(DEMO_CLIENT_ID)
  if (!record) return false
  const c = record.client
  const same =
    JSON.stringify(c.redirect_uris) === JSON.stringify(doc.redirect_uris) &&
    JSON.stringify(c.grant_types) === JSON.stringify(doc.grant_types) &&
    c.scope === doc.scope &&
    c.token_endpoint_auth_method === doc.token_endpoint_auth_method
  return same && (await ctx.clients.verifySecret(record, doc.client_secret))
}

/**
 * Creates the demo client, or brings an existing one back to the demo's settings (redirect URI of this public
 * URL, secret of this system secret); an up-to-date client is left alone.
 */
export async function ensureDemoClient(ctx: AppContext): Promise<DemoClient> {
  const doc = demoDocument(ctx, demoSecret(ctx))
  const result: DemoClient = { client_id: DEMO_CLIENT_ID, client_secret: doc.client_secret, redirect_uri: demoRedirectUri(ctx) }
  if (await isCurrent(ctx, doc)) return result
  if (!(await ctx.clients.get(DEMO_CLIENT_ID))) {
    try {
      await createClient(ctx, doc)
      return result
    } catch (err) {
      // Another node created it meanwhile: settle it like an existing one.
      if (!(err instanceof OAuthError && err.error === 'conflict')) throw err
    }
  }
  await replaceClient(ctx, DEMO_CLIENT_ID, doc)
  return result
}

/**
 * The demo for `serve --dev`: the client, or null (with a warning) when the public URL is not known before the
 * listener binds (port 0 without urls.self.issuer), so that no authorize URL could be printed that works.
 */
export async function setUpDemo(ctx: AppContext): Promise<DemoClient | null> {
  if (new URL(ctx.publicUrl).port === '0') {
    ctx.logger.warn('no development demo: the public port is 0; set serve.public.port or urls.self.issuer to get one')
    return null
  }
  const demo = await ensureDemoClient(ctx)
  ctx.logger.info('development demo client ready', { client_id: demo.client_id, redirect_uri: demo.redirect_uri })
  return demo
}

/**
 * A ready-to-open authorization request of the demo client: PKCE S256 and a nonce, both sealed into `state` so
 * that the callback page, on any node, can redeem the code and check the ID token without storing anything.
 */
export function demoAuthorizeUrl(ctx: AppContext): string {
  const state: DemoState = { verifier: randomBytes(32).toString('base64url'), nonce: randomBytes(16).toString('base64url') }
  const url = new URL(`${ctx.publicUrl}/oauth2/auth`)
  url.searchParams.set('client_id', DEMO_CLIENT_ID)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('redirect_uri', demoRedirectUri(ctx))
  url.searchParams.set('scope', DEMO_REQUEST_SCOPE)
  url.searchParams.set('state', ctx.sealer.seal(JSON.stringify(state), STATE_AAD))
  url.searchParams.set('nonce', state.nonce)
  url.searchParams.set('code_challenge', createHash('sha256').update(state.verifier).digest('base64url'))
  url.searchParams.set('code_challenge_method', 'S256')
  return url.href
}

/** The demo state sealed by `demoAuthorizeUrl`; null when it is not one. */
export function openDemoState(ctx: AppContext, state: string): DemoState | null {
  if (!state || state.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(state)) return null
  try {
    const value = JSON.parse(ctx.sealer.open(state, STATE_AAD)) as Partial<DemoState>
    return typeof value.verifier === 'string' && typeof value.nonce === 'string' ? { verifier: value.verifier, nonce: value.nonce } : null
  } catch {
    return null
  }
}

/** What `gatehouse serve --dev` prints when the demo is on. */
export function demoBanner(ctx: AppContext, demo: DemoClient): string {
  return [
    '',
    'Gatehouse development demo (built-in login, consent, logout and device pages)',
    `  client_id:     ${demo.client_id}`,
    `  client_secret: ${demo.client_secret}`,
    `  redirect_uri:  ${demo.redirect_uri}`,
    '',
    'Open this URL in a browser, sign in with any user name and allow the request;',
    'the callback page redeems the code and shows the verified tokens:',
    '',
    `  ${demoAuthorizeUrl(ctx)}`,
    '',
    'Or sign a device in from a terminal (RFC 8628 device flow):',
    '',
    `  gatehouse perform device-code --client-id ${demo.client_id} --client-secret ${demo.client_secret} \\`,
    `    --scope openid,offline_access --endpoint ${ctx.publicUrl}`,
    '',
    '',
  ].join('\n')
}
