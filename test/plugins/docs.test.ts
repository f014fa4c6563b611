import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { FIRST_PARTY_PLUGINS } from '../../plugins/index.ts'
import { ROOT } from '../_harness.ts'

const read = (path: string) => Bun.file(join(ROOT, path)).text()

describe('PLUGINS.md', () => {
  it('carries the example plugin and its test verbatim, so the copy a reader takes is the tested one', async () => {
    const guide = await read('PLUGINS.md')
    expect(guide).toContain(await read('test/plugins/example/tenant_claims.ts'))
    expect(guide).toContain(await read('test/plugins/example/tenant_claims.test.ts'))
  })

  it('has a section for every first-party plugin', async () => {
    const guide = await read('PLUGINS.md')
    for (const plugin of FIRST_PARTY_PLUGINS) expect(guide).toContain(`\n### ${plugin.name}\n`)
  })
})

describe('the plugin SDK (src/plugins/api.ts)', () => {
  it('documents every export with TSDoc and an example', async () => {
    const files = ['src/plugins/api.ts', 'src/plugins/api_errors.ts', 'src/plugins/api_hooks.ts']
    const lines = (await Promise.all(files.map(read))).join('\n').split('\n')
    const undocumented: string[] = []
    const withoutExample: string[] = []
    lines.forEach((line, i) => {
      if (!line.startsWith('export ') || line.startsWith('export * from')) return
      let j = i - 1
      while (j >= 0 && !lines[j]!.startsWith('/**') && lines[j]!.startsWith(' *')) j--
      const doc = lines[i - 1]?.trimEnd().endsWith('*/') ? lines.slice(j, i).join('\n') : ''
      if (!doc) undocumented.push(line)
      else if (!doc.includes('@example') && !/^export type OAuthError /.test(line)) withoutExample.push(line)
    })
    expect(undocumented).toEqual([])
    expect(withoutExample).toEqual([])
  })
})
