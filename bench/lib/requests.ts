import { BASIC } from './gatehouse.ts'
import type { RequestSpec } from './load.ts'

const FORM = 'application/x-www-form-urlencoded'
export const CC_BODY = 'grant_type=client_credentials&scope=read'

/** client_credentials with client_secret_basic, as both sides receive it. */
export const tokenSpec = (url: string): RequestSpec => ({
  url,
  method: 'POST',
  headers: { 'Content-Type': FORM, Authorization: BASIC },
  bodies: [CC_BODY],
})

/** RFC 7662 introspection cycling through issued tokens; `auth` for the peer, which requires client auth. */
export const introspectSpec = (url: string, tokens: string[], auth: boolean): RequestSpec => ({
  url,
  method: 'POST',
  headers: { 'Content-Type': FORM, ...(auth ? { Authorization: BASIC } : {}) },
  bodies: tokens.map((t) => `token=${encodeURIComponent(t)}`),
})

async function send(spec: RequestSpec, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(spec.url, { method: spec.method, headers: spec.headers, body })
  const text = await res.text()
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch {
    json = { raw: text.slice(0, 200) }
  }
  return { status: res.status, json }
}

function jwtAlg(token: string): string | null {
  try {
    return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg?: string }).alg ?? null
  } catch {
    return null
  }
}

/**
 * One token request before a scenario: it must succeed, and a JWT must be signed with the expected
 * algorithm (an opaque token must not be a JWT), so both sides are known to do the same work.
 */
export async function checkTokenEndpoint(label: string, url: string, alg: string | null): Promise<string> {
  const { status, json } = await send(tokenSpec(url), CC_BODY)
  const token = json.access_token
  if (status !== 200 || typeof token !== 'string') throw new Error(`${label}: token request answered ${status} ${JSON.stringify(json)}`)
  const seen = jwtAlg(token)
  if (alg === null ? token.split('.').length === 3 && seen : seen !== alg) {
    throw new Error(`${label}: expected ${alg ?? 'an opaque token'}, got ${seen ?? 'an opaque token'}`)
  }
  return token
}

/** Issues `n` tokens, 8 at a time. */
export async function issueTokens(url: string, n: number): Promise<string[]> {
  const tokens: string[] = []
  const spec = tokenSpec(url)
  const worker = async () => {
    while (tokens.length < n) {
      const { status, json } = await send(spec, CC_BODY)
      if (status !== 200 || typeof json.access_token !== 'string') throw new Error(`issuing tokens: ${status}`)
      tokens.push(json.access_token)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  return tokens.slice(0, n)
}

/** How many of the tokens introspect as active (checked before and after S4's runs). */
export async function countActive(spec: RequestSpec, sample: string[]): Promise<number> {
  let active = 0
  for (const t of sample) {
    const { status, json } = await send(spec, `token=${encodeURIComponent(t)}`)
    if (status === 200 && json.active === true) active++
  }
  return active
}
