import { createHash, randomBytes } from 'node:crypto'

/** Where one side of S5 listens and who its client is. */
export interface FlowTarget {
  kind: 'gatehouse' | 'peer'
  /** Public base URL (Gatehouse) or the peer's base URL. */
  publicUrl: string
  /** Gatehouse's admin base URL. */
  adminUrl?: string
  /** Gatehouse's https issuer, rewritten to publicUrl when a redirect points at it (TLS ends before us). */
  issuer?: string
  clientId: string
  clientSecret: string
  redirectUri: string
}

/** A cookie jar for one flow: name → value, as a browser sending everything would keep them. */
class Jar {
  readonly #cookies = new Map<string, string>()

  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair!.indexOf('=')
      if (eq < 0) continue
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === ''
      if (expired) this.#cookies.delete(name)
      else this.#cookies.set(name, value)
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }
}

export class FlowError extends Error {}

const b64url = (b: Buffer) => b.toString('base64url')

function expect(res: Response, statuses: number[], step: string): void {
  if (!statuses.includes(res.status)) throw new FlowError(`${step}: HTTP ${res.status}`)
}

function location(res: Response, step: string): string {
  const loc = res.headers.get('location')
  if (!loc) throw new FlowError(`${step}: no Location header`)
  return loc
}

/** One authorization code flow with PKCE, then one refresh; throws FlowError on any unexpected answer. */
export async function runOneFlow(t: FlowTarget, user: string): Promise<void> {
  const jar = new Jar()
  const verifier = b64url(randomBytes(32))
  const challenge = b64url(createHash('sha256').update(verifier).digest())
  const state = b64url(randomBytes(12))
  const basic = `Basic ${Buffer.from(`${t.clientId}:${t.clientSecret}`).toString('base64')}`
  const abs = (loc: string) => {
    const u = new URL(loc, t.publicUrl)
    if (t.issuer && u.href.startsWith(t.issuer)) return t.publicUrl + u.href.slice(t.issuer.length)
    return u.href
  }
  const get = async (url: string, step: string) => {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } })
    await res.arrayBuffer()
    jar.take(res)
    expect(res, [302, 303], step)
    return location(res, step)
  }

  const query = new URLSearchParams({
    response_type: 'code',
    client_id: t.clientId,
    redirect_uri: t.redirectUri,
    scope: 'openid offline_access',
    state,
    nonce: b64url(randomBytes(12)),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })
  // oidc-provider keeps offline_access only when consent is prompted (OIDC Core §11).
  if (t.kind === 'peer') query.set('prompt', 'consent')
  let loc = await get(`${t.publicUrl}${t.kind === 'peer' ? '/auth' : '/oauth2/auth'}?${query}`, 'authorize')

  if (t.kind === 'gatehouse') {
    loc = await acceptGatehouse(t, loc, 'login', { subject: user, remember: false })
    loc = await get(abs(loc), 'login verifier')
    loc = await acceptGatehouse(t, loc, 'consent', { grant_scope: ['openid', 'offline_access'], remember: false })
    loc = await get(abs(loc), 'consent verifier')
  } else {
    loc = await postPeer(jar, abs(loc), 'login', `sub=${encodeURIComponent(user)}`)
    loc = await get(abs(loc), 'login resume')
    loc = await postPeer(jar, abs(loc), 'consent', '')
    loc = await get(abs(loc), 'consent resume')
  }

  const cb = new URL(loc)
  const code = cb.searchParams.get('code')
  if (!code || cb.searchParams.get('state') !== state) throw new FlowError(`callback: no code (${cb.search.slice(0, 80)})`)
  const tokenUrl = `${t.publicUrl}${t.kind === 'peer' ? '/token' : '/oauth2/token'}`
  const token = async (body: Record<string, string>, step: string) => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    })
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>
    expect(res, [200], step)
    return json
  }
  const issued = await token(
    { grant_type: 'authorization_code', code, redirect_uri: t.redirectUri, code_verifier: verifier },
    'code exchange',
  )
  if (typeof issued.refresh_token !== 'string' || typeof issued.id_token !== 'string') {
    throw new FlowError('code exchange: no refresh_token or id_token')
  }
  const refreshed = await token({ grant_type: 'refresh_token', refresh_token: issued.refresh_token }, 'refresh')
  if (typeof refreshed.access_token !== 'string') throw new FlowError('refresh: no access_token')
}

async function acceptGatehouse(t: FlowTarget, loc: string, kind: 'login' | 'consent', body: object): Promise<string> {
  const challenge = new URL(loc).searchParams.get(`${kind}_challenge`)
  if (!challenge) throw new FlowError(`${kind}: no ${kind}_challenge in ${loc.slice(0, 60)}`)
  const res = await fetch(`${t.adminUrl}/admin/oauth2/auth/requests/${kind}/accept?${kind}_challenge=${encodeURIComponent(challenge)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = (await res.json().catch(() => ({}))) as { redirect_to?: string }
  expect(res, [200], `${kind} accept`)
  if (!json.redirect_to) throw new FlowError(`${kind} accept: no redirect_to`)
  return json.redirect_to
}

async function postPeer(jar: Jar, interactionUrl: string, step: 'login' | 'consent', body: string): Promise<string> {
  const res = await fetch(`${interactionUrl}/${step}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body,
  })
  await res.arrayBuffer()
  jar.take(res)
  expect(res, [302, 303], `${step} interaction`)
  return location(res, `${step} interaction`)
}
