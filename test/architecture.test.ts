import { describe, expect, it } from 'bun:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import * as ts from 'typescript'

const ROOT = resolve(import.meta.dir, '..')
const SRC = join(ROOT, 'src')

/** The units of ARCHITECTURE.md's layers block, bottom first. */
function declaredLayers(markdown: string): string[] {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown)?.[1]
  if (!block) throw new Error('ARCHITECTURE.md has no ```layers block')
  return block.split('\n').map((line) => line.split(/\s+/)[0]!).filter(Boolean)
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

/** A file's unit: its top-level folder with a slash, or the top-level file itself. */
const unitOf = (file: string) => {
  const parts = relative(SRC, file).split('/')
  return parts.length > 1 ? `${parts[0]}/` : parts[0]!
}

interface Edge {
  from: string
  to: string
  file: string
  spec: string
}

/** Every import between units, type-only and dynamic imports included. */
function unitImports(): Edge[] {
  const edges: Edge[] = []
  for (const file of sourceFiles(SRC)) {
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!spec.startsWith('.')) continue
      const target = resolve(dirname(file), spec)
      if (!target.startsWith(`${SRC}/`)) continue
      const from = unitOf(file)
      const to = unitOf(target)
      if (from !== to) edges.push({ from, to, file: relative(ROOT, file), spec })
    }
  }
  return edges
}

/** Units that import each other, directly or through others (strongly connected components of two or more). */
function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, Set<string>>()
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to))
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const found: string[][] = []
  const visit = (v: string) => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const component = stack.splice(stack.indexOf(v))
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const v of next.keys()) if (!index.has(v)) visit(v)
  return found
}

describe('architecture', () => {
  const layers = declaredLayers(readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8'))
  const edges = unitImports()

  it('lists every top-level folder and file of src/ in ARCHITECTURE.md, once', () => {
    const units = readdirSync(SRC).map((name) => (statSync(join(SRC, name)).isDirectory() ? `${name}/` : name))
    expect([...layers].sort()).toEqual(units.sort())
    expect(new Set(layers).size).toBe(layers.length)
  })

  it('has no import cycles between the top-level folders and files of src/', () => {
    expect(cycles(edges)).toEqual([])
  })

  it('lets a unit import only the units below it', () => {
    const rank = new Map(layers.map((unit, i) => [unit, i]))
    const upward = edges
      .filter((e) => rank.get(e.to)! >= rank.get(e.from)!)
      .map((e) => `${e.file} imports ${e.spec} (${e.from} may not import ${e.to})`)
    expect(upward).toEqual([])
  })

  it('finds the edges it checks, type-only and re-exports included', () => {
    const has = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to)
    // protocol/context.ts imports Config as a type only.
    expect(has('protocol/', 'config/')).toBe(true)
    expect(has('app.ts', 'context.ts')).toBe(true)
    expect(cycles([...edges, { from: 'protocol/', to: 'oauth2/', file: 'x', spec: 'y' }])).toContainEqual(
      expect.arrayContaining(['protocol/', 'oauth2/']),
    )
  })
})
