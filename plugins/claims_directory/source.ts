import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'

/** Where claims come from: a whole directory file, or one HTTP lookup per subject. */
export interface ClaimsSource {
  /** The claims of a subject; null when the directory does not know it. Throws when the directory cannot be read. */
  lookup(subject: string): Promise<Record<string, unknown> | null>
}

type Directory = Record<string, Record<string, unknown>>

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function parseDirectory(text: string, path: string): Directory {
  const data: unknown = path.endsWith('.json') ? JSON.parse(text) : Bun.YAML.parse(text)
  if (!isRecord(data) || !Object.values(data).every(isRecord)) {
    throw new Error(`${path} must map each subject to an object of claims`)
  }
  return data as Directory
}

interface Cached<T> {
  value: T
  at: number
}

/** A JSON or YAML file mapping subjects to claims, re-read once `ttl` ms have passed (the last good copy serves on failure). */
export function fileSource(path: string, ttl: number, now: () => number, warn: (msg: string, f: Record<string, unknown>) => void): ClaimsSource {
  const file = resolve(path)
  let cached: Cached<Directory> | undefined
  return {
    async lookup(subject) {
      if (!cached || now() - cached.at >= ttl) {
        try {
          cached = { value: parseDirectory(await readFile(file, 'utf8'), file), at: now() }
        } catch (err) {
          if (!cached) throw err
          warn('claims directory unreadable; serving the last copy', { file, error: (err as Error).message })
          cached = { value: cached.value, at: now() }
        }
      }
      return Object.hasOwn(cached.value, subject) ? cached.value[subject]! : null
    },
  }
}

const MAX_ENTRIES = 10_000

export interface HttpSourceOptions {
  url: string
  headers: Record<string, string>
  ttl: number
  now: () => number
  warn: (msg: string, f: Record<string, unknown>) => void
}

/** `{subject}` in the URL is replaced by the subject, else it is sent as `?subject=`. */
function urlFor(template: string, subject: string): string {
  if (template.includes('{subject}')) return template.replaceAll('{subject}', encodeURIComponent(subject))
  const url = new URL(template)
  url.searchParams.set('subject', subject)
  return url.href
}

/** An HTTP endpoint answering 200 with a subject's claims (JSON object) or 404; answers are cached for `ttl` ms. */
export function httpSource(o: HttpSourceOptions): ClaimsSource {
  const cache = new Map<string, Cached<Record<string, unknown> | null>>()
  async function fetchClaims(subject: string) {
    const res = await fetch(urlFor(o.url, subject), { headers: { accept: 'application/json', ...o.headers }, redirect: 'error' })
    if (res.status === 404) {
      await res.body?.cancel()
      return null
    }
    if (res.status !== 200) {
      await res.body?.cancel()
      throw new Error(`the claims endpoint answered HTTP ${res.status}`)
    }
    const body: unknown = await res.json()
    if (!isRecord(body)) throw new Error('the claims endpoint did not answer a JSON object')
    return body
  }
  return {
    async lookup(subject) {
      const hit = cache.get(subject)
      if (hit && o.now() - hit.at < o.ttl) return hit.value
      let value: Record<string, unknown> | null
      try {
        value = await fetchClaims(subject)
      } catch (err) {
        if (!hit) throw err
        o.warn('claims endpoint failed; serving the cached answer', { error: (err as Error).message })
        value = hit.value
      }
      cache.delete(subject)
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!)
      cache.set(subject, { value, at: o.now() })
      return value
    },
  }
}
