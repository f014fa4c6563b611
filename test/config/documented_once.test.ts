import { describe, expect, it } from 'bun:test'
import { Kind, type TObject, type TSchema } from '@sinclair/typebox'
import { TABLE_BEGIN, TABLE_END } from '../../src/config/docs.ts'
import { envKeys } from '../../src/config/load.ts'
import { configRows } from '../../src/config/rows.ts'
import { ConfigSchema } from '../../src/config/schema.ts'
import { ROOT, runCli } from '../_harness.ts'

/** Every key and section under the root, by dotted path. */
function nodes(schema: TSchema, path: string[] = []): { key: string; schema: TSchema }[] {
  if (schema[Kind] !== 'Object' || !(schema as TObject).properties) return []
  return Object.entries((schema as TObject).properties).flatMap(([k, s]) => [
    { key: [...path, k].join('.'), schema: s },
    ...nodes(s, [...path, k]),
  ])
}

/** The README table's rows as key → description, unescaped as docs.ts escapes them. */
async function readmeDescriptions(): Promise<Map<string, string>> {
  const readme = await Bun.file(`${ROOT}/README.md`).text()
  const table = readme.slice(readme.indexOf(TABLE_BEGIN) + TABLE_BEGIN.length, readme.indexOf(TABLE_END))
  const rows = new Map<string, string>()
  for (const line of table.trim().split('\n').slice(2)) {
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim())
    const unescape = (c: string) => c.replaceAll('\\|', '|').replaceAll('&lt;', '<').replaceAll('&gt;', '>')
    rows.set(unescape(cells[0]!).replaceAll('`', ''), unescape(cells[4]!))
  }
  return rows
}

describe('configuration keys documented once', () => {
  it('gives every key and section a description', () => {
    const missing = nodes(ConfigSchema)
      .filter(({ schema }) => typeof schema.description !== 'string' || schema.description.trim() === '')
      .map(({ key }) => key)
    expect(missing).toEqual([])
    expect(envKeys().length).toBeGreaterThan(50)
  })

  it('keeps no TSDoc comment on a key of src/config/schema.ts beside its description', async () => {
    const source = await Bun.file(`${ROOT}/src/config/schema.ts`).text()
    const commentedKeys = [...source.matchAll(/\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*\n\s*(\w+):/g)].map((m) => m[1])
    expect(commentedKeys).toEqual([])
  })

  it('prints in `gatehouse help config` the description of the README row, from the schema', async () => {
    const readme = await readmeDescriptions()
    const help = await runCli(['help', 'config'])
    expect(help.code).toBe(0)
    const lines = help.stdout.split('\n')
    expect([...readme.keys()]).toEqual(configRows().map((r) => r.key))
    for (const row of configRows()) {
      expect(readme.get(row.key)).toBe(row.description)
      const line = lines.find((l) => l.startsWith(`${row.key} `))
      expect(line, row.key).toEndWith(`  ${row.description}`)
    }
    const workers = readme.get('serve.workers')!
    expect(workers).toContain('threads of the one server process')
    expect(lines.find((l) => l.startsWith('serve.workers '))).toEndWith(workers)
  })
})
