/** A user agent over real HTTP: a cookie jar, redirects followed by hand. */
export class HttpAgent {
  readonly #cookies = new Map<string, string>()

  async open(url: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {}
    if (this.#cookies.size) headers.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const init: RequestInit = { headers, redirect: 'manual' }
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      init.method = 'POST'
      init.body = new URLSearchParams(form).toString()
    }
    const res = await fetch(url, init)
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!
      const eq = pair.indexOf('=')
      if (/Max-Age=0(;|$)/.test(line)) this.#cookies.delete(pair.slice(0, eq))
      else this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    return res
  }

  /** Opens a URL (or submits a form) and follows redirects; the final URL and page. */
  async visit(url: string, form?: Record<string, string>): Promise<{ url: string; res: Response; html: string }> {
    let res = await this.open(url, form)
    for (let i = 0; i < 10 && res.status === 302; i++) {
      url = new URL(res.headers.get('location')!, url).href
      res = await this.open(url)
    }
    return { url, res, html: await res.text() }
  }
}
