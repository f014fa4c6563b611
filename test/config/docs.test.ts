import { describe, expect, it } from 'bun:test'
import { configRows } from '../../src/config/rows.ts'
import { configTable, TABLE_BEGIN, TABLE_END, withConfigTable } from '../../src/config/docs.ts'

const rowOf = (key: string) => configTable().split('\n').find((l) => l.startsWith(`| \`${key}\` |`))

describe('README configuration table', () => {
  it('has a header and one row per configuration key', () => {
    const lines = configTable().split('\n')
    expect(lines.length).toBe(2 + configRows().length)
    expect(rowOf('ttl.access_token')).toBe(
      '| `ttl.access_token` | `TTL_ACCESS_TOKEN` | duration | `1h` | Access token lifetime. |',
    )
  })

  it('keeps pipes and angle brackets inside their cells', () => {
    const row = { key: 'a.b', env: 'A_B', type: 'x|y', default: 'x', description: 'sqlite://<path> or x|y' }
    expect(configTable([row]).split('\n')[2]).toBe('| `a.b` | `A_B` | x\\|y | `x` | sqlite://&lt;path&gt; or x\\|y |')
    expect(rowOf('serve.cookies.same_site_mode')).toContain('Strict\\|Lax\\|None')
  })

  it('leaves the default cell empty when there is none', () => {
    expect(rowOf('urls.login')).toStartWith('| `urls.login` | `URLS_LOGIN` | url |  |')
  })

  it('replaces only the text between the markers', () => {
    const readme = `# Title\n\n${TABLE_BEGIN}\nold\n${TABLE_END}\n\nmore`
    expect(withConfigTable(readme, 'new')).toBe(`# Title\n\n${TABLE_BEGIN}\nnew\n${TABLE_END}\n\nmore`)
    expect(() => withConfigTable('# no markers', 'new')).toThrow(/markers/)
  })

  it('README.md carries the current table', async () => {
    const readme = await Bun.file(`${import.meta.dir}/../../README.md`).text()
    expect(readme, 'README.md is out of date with src/config/schema.ts: run `bun src/config/docs.ts`').toBe(
      withConfigTable(readme),
    )
  })
})
