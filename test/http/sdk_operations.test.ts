import { describe, expect, it } from 'bun:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as sdk from '@ory/hydra-client'

const TEST_ROOT = resolve(import.meta.dir, '..')

/** Every operation of Ory's generated SDK: the methods of its API classes. */
function sdkOperations(): string[] {
  return Object.entries(sdk)
    .filter(([name, value]) => name.endsWith('Api') && typeof value === 'function')
    .flatMap(([, api]) => Object.getOwnPropertyNames((api as { prototype: object }).prototype))
    .filter((method) => method !== 'constructor')
}

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return testSources(path)
    return path.endsWith('.ts') && path !== import.meta.path ? [readFileSync(path, 'utf8')] : []
  })
}

describe("Ory's SDK (@ory/hydra-client)", () => {
  it('has every operation called by some test', () => {
    const sources = testSources(TEST_ROOT).join('\n')
    const operations = sdkOperations()
    expect(operations.length).toBeGreaterThanOrEqual(50)
    expect(operations.filter((op) => !sources.includes(`.${op}(`))).toEqual([])
  })
})
