import { createHash } from 'node:crypto'
import type { OAuth2Client } from '../../protocol/client.ts'
import type { CoreContext } from '../../protocol/context.ts'
import { escapeHtml } from '../../util/html.ts'
import type { Outcome } from '../../protocol/outcome.ts'

/** How long the page waits for the clients' logout frames before it moves on anyway. */
export const FRONTCHANNEL_WAIT_MS = 5000

// Window `load` fires once every frame has loaded; the timer bounds the wait for slow or unreachable clients.
const SCRIPT =
  '(function(){var d=false;function go(){if(d)return;d=true;var a=document.getElementById("next");if(a)location.replace(a.href)}' +
  `addEventListener("load",go);setTimeout(go,${FRONTCHANNEL_WAIT_MS})})()`

/** The CSP hash source of the page's only script. */
export const FRONTCHANNEL_SCRIPT_HASH = `sha256-${createHash('sha256').update(SCRIPT).digest('base64')}`

/**
 * The URL a client's logout frame loads (OIDC Front-Channel Logout 1.0 §2); null without an http(s)
 * `frontchannel_logout_uri`.
 */
export function frontchannelUrl(ctx: CoreContext, client: OAuth2Client, sid: string): string | null {
  if (!client.frontchannel_logout_uri) return null
  let url: URL
  try {
    url = new URL(client.frontchannel_logout_uri)
  } catch {
    return null
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  // OIDC Front-Channel Logout 1.0 §2: iss and sid when the RP registered frontchannel_logout_session_required.
  if (client.frontchannel_logout_session_required) {
    url.searchParams.set('iss', ctx.issuer)
    url.searchParams.set('sid', sid)
  }
  return url.href
}

/**
 * The end of a logout: with logout frames, a page that renders one hidden iframe per client and then continues
 * to `next`; without frames, a plain redirect to `next`. With nowhere to go, the page just says so.
 */
export function logoutPage(frames: readonly string[], next: string | null): Outcome {
  if (frames.length === 0 && next !== null) return { kind: 'redirect', location: next }
  const iframes = frames.map((src) => `<iframe src="${escapeHtml(src)}" title="logout" hidden></iframe>`).join('')
  const refresh = next === null ? '' : `<noscript><meta http-equiv="refresh" content="2;url=${escapeHtml(next)}"></noscript>`
  const link = next === null ? '<p>You are signed out.</p>' : `<p><a id="next" href="${escapeHtml(next)}">Continue</a></p>`
  const waits = frames.length > 0 && next !== null
  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title>${refresh}</head>` +
    `<body>${iframes}${link}${waits ? `<script>${SCRIPT}</script>` : ''}</body></html>`
  return {
    kind: 'page',
    status: 200,
    html,
    scriptHashes: waits ? [FRONTCHANNEL_SCRIPT_HASH] : [],
    frameSrc: [...new Set(frames.map((src) => new URL(src).origin))],
  }
}
