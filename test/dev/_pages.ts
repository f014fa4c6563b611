import { ensureDemoClient } from '../../src/dev/demo_client.ts'
import { Browser, local, startServer, type StoreFactory, type TestServer } from '../_harness.ts'

/** A --dev server without login, consent or logout app of its own: the built-in pages serve. */
export async function startDevServer(factory: StoreFactory, overrides: Record<string, unknown> = {}): Promise<TestServer> {
  const s = await startServer(factory, { dev: true, ...overrides })
  await ensureDemoClient(s.ctx)
  return s
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' }
export const unescape = (text: string) => text.replace(/&(lt|gt|quot|#39|amp);/g, (e) => ENTITIES[e]!)

/** The fields a browser would submit from the page's form: hidden inputs and checked boxes, by name. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const [input] of html.matchAll(/<input [^>]*>/g)) {
    const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(input)?.[1]
    const type = attr('type')
    const name = attr('name')
    const value = attr('value')
    if (!name || value === undefined) continue
    if (type === 'hidden' || (type === 'checkbox' && /\schecked(\s|>|$)/.test(input))) fields[name] = unescape(value)
  }
  return fields
}

/** The text of the element with this id. */
export function textOf(html: string, id: string): string | undefined {
  const m = new RegExp(`id="${id}">([^<]*)<`).exec(html)
  return m ? unescape(m[1]!) : undefined
}

/** Follows redirects within the server until a page (or a redirect elsewhere) answers; with the URL last opened. */
export async function follow(b: Browser, res: Response, from = ''): Promise<{ res: Response; url: string }> {
  let current = res
  let url = from
  for (let i = 0; i < 10 && current.status === 302; i++) {
    const next = current.headers.get('location')!
    if (!local(next).startsWith('http://localhost/')) break
    url = next
    current = await b.open(next)
  }
  return { res: current, url }
}

/** A page the browser landed on: its response, URL and HTML. */
export interface Landing {
  res: Response
  url: string
  html: string
  path: string
}

async function land(b: Browser, res: Response, from: string): Promise<Landing> {
  const { res: last, url } = await follow(b, res, from)
  return { res: last, url, html: await last.text(), path: new URL(url).pathname }
}

/** Opens a URL and follows redirects within the server. */
export const visit = async (b: Browser, url: string) => land(b, await b.open(url), url)

/** Submits the page's form to its action with its own fields, `extra` on top (null drops a field). */
export async function post(b: Browser, page: Landing, extra: Record<string, string | null>): Promise<Landing> {
  const action = unescape(/<form method="post" action="([^"]*)"/.exec(page.html)![1]!)
  const fields: Record<string, string> = formFields(page.html)
  for (const [k, v] of Object.entries(extra)) {
    if (v === null) delete fields[k]
    else fields[k] = v
  }
  return land(b, await b.open(action, fields), action)
}

export const LOGIN_PAGE = 'https://gatehouse.test/oauth2/fallbacks/login'
export const CONSENT_PAGE = 'https://gatehouse.test/oauth2/fallbacks/consent'
export const LOGOUT_PAGE = 'https://gatehouse.test/oauth2/fallbacks/logout'
export const CALLBACK_PAGE = 'https://gatehouse.test/oauth2/fallbacks/callback'

/** The path of a redirect's target, or '' when it is not a redirect. */
export const pathOf = (res: Response) => (res.status === 302 ? new URL(res.headers.get('location')!).pathname : '')
