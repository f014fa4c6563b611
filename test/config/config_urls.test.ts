import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'

const LOAD = join(import.meta.dir, '../../src/config/load.ts')

/** Loads a config with one URL key in a fresh process, where nothing else (like Elysia) registered formats. */
async function loadUrlInFreshProcess(url: string) {
  const script = `import { loadConfig } from ${JSON.stringify(LOAD)}
try { loadConfig({ overrides: { dev: true, 'urls.login': ${JSON.stringify(url)} } }); console.log('accepted') }
catch (e) { console.log(e.problems.join('|')) }`
  const proc = Bun.spawn(['bun', '-e', script], { stdout: 'pipe', stderr: 'pipe' })
  const out = (await new Response(proc.stdout).text()).trim()
  await proc.exited
  return out
}

describe('configuration URLs', () => {
  it('accepts absolute URLs and rejects anything else, without Elysia loaded', async () => {
    expect(await loadUrlInFreshProcess('https://login.example/x')).toBe('accepted')
    expect(await loadUrlInFreshProcess('not a url')).toStartWith('urls.login:')
  })
})
