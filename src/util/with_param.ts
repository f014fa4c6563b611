/** Whether a query string may carry `name` (percent-encoded names count; undecodable ones are assumed to). */
function mayCarry(query: string, name: string): boolean {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=')
    const raw = eq < 0 ? pair : pair.slice(0, eq)
    if (raw === name) return true
    if (raw.includes('%')) {
      try {
        if (decodeURIComponent(raw) === name) return true
      } catch {
        return true
      }
    }
  }
  return false
}

/** `url` with one query parameter set (replaced when present). */
export function withParam(url: string, name: string, value: string): string {
  const q = url.indexOf('?')
  // Appending is the same as setting when the parameter is absent; anything else takes the URL parser.
  if (!url.includes('#') && (q < 0 || !mayCarry(url.slice(q + 1), name)) && URL.canParse(url)) {
    const separator = q < 0 ? '?' : q === url.length - 1 || url.endsWith('&') ? '' : '&'
    return `${url}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}`
  }
  const u = new URL(url)
  u.searchParams.set(name, value)
  return u.href
}
