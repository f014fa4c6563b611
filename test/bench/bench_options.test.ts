import { describe, expect, it } from 'bun:test'
import { intOption, oneOf, UsageError } from '../../bench/lib/cli.ts'
import { parseOptions } from '../../bench/lib/options.ts'

const OUT = '/results/latest.json'

describe('bench options', () => {
  it('runs every scenario into latest.json by default', () => {
    const opts = parseOptions([], OUT)
    if (opts === 'help') throw new Error('unexpected help')
    expect(opts.only).toBeNull()
    expect(opts.out).toBe(OUT)
  })

  it('takes a subset case-insensitively and writes it beside, not over, the full results', () => {
    const opts = parseOptions(['--only', 's1, S4,ref'], OUT)
    if (opts === 'help') throw new Error('unexpected help')
    expect([...opts.only!]).toEqual(['S1', 'S4', 'REF'])
    expect(opts.out).toBe('/results/latest_subset.json')
    const chosen = parseOptions(['--only', 'S1', '--out', '/tmp/x.json'], OUT)
    expect(chosen !== 'help' && chosen.out).toBe('/tmp/x.json')
  })

  it('refuses a scenario it does not know, before anything runs', () => {
    expect(() => parseOptions(['--only', 'S1,S9'], OUT)).toThrow('--only: unknown scenario S9')
    expect(() => parseOptions(['--only', ','], OUT)).toThrow('--only needs at least one of')
    expect(() => parseOptions(['--only', 'S9'], OUT)).toThrow(UsageError)
  })

  it('refuses numbers that are not whole and in range', () => {
    expect(() => parseOptions(['--rounds', '0'], OUT)).toThrow('--rounds must be an integer ≥ 1, got "0"')
    expect(() => parseOptions(['--duration', '2.5'], OUT)).toThrow('--duration must be an integer')
    expect(() => parseOptions(['--rows', '10', '--expired', '11'], OUT)).toThrow('--expired cannot exceed --rows')
    expect(() => parseOptions(['--bogus'], OUT)).toThrow("Unknown option '--bogus'")
  })
})

describe('bench tool arguments', () => {
  it('reads whole numbers with a floor and a fallback', () => {
    expect(intOption('n', undefined, 7)).toBe(7)
    expect(intOption('n', '0', 7, 0)).toBe(0)
    expect(() => intOption('n', '', 7)).toThrow('--n must be an integer ≥ 1, got ""')
    expect(() => intOption('n', true, 7)).toThrow(UsageError)
  })

  it('accepts only the listed words', () => {
    expect(oneOf('--store', undefined, ['sqlite', 'postgres'], 'sqlite')).toBe('sqlite')
    expect(oneOf('--store', 'postgres', ['sqlite', 'postgres'], 'sqlite')).toBe('postgres')
    expect(() => oneOf('--store', 'mysql', ['sqlite', 'postgres'], 'sqlite')).toThrow('--store must be one of sqlite, postgres, got "mysql"')
  })
})
