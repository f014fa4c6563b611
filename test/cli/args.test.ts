import { describe, expect, it } from 'bun:test'
import { parseCommandArgs, UsageError, type Command } from '../../src/cli/args.ts'

const command: Command = {
  path: ['list', 'clients'],
  args: '',
  positionals: { min: 0, max: 1 },
  summary: 'test command',
  flags: {
    'page-token': { type: 'string', description: 'page token' },
    'client-secret': { type: 'string', description: 'secret' },
    endpoint: { type: 'string', short: 'e', description: 'endpoint' },
    yes: { type: 'boolean', description: 'yes' },
  },
  run: async () => 0,
}

describe('command-line flags', () => {
  it('takes a value that starts with a dash for a string flag (base64url tokens and secrets can)', () => {
    const args = parseCommandArgs(['--page-token', '-x9Tq', '--client-secret', '--s3cret', '-e', '-odd'], command)
    expect(args.string('page-token')).toBe('-x9Tq')
    expect(args.string('client-secret')).toBe('--s3cret')
    expect(args.string('endpoint')).toBe('-odd')
  })

  it('leaves boolean flags, = forms and positionals alone', () => {
    const args = parseCommandArgs(['--yes', '--page-token=-abc', 'pos'], command)
    expect(args.boolean('yes')).toBe(true)
    expect(args.string('page-token')).toBe('-abc')
    expect(args.positionals).toEqual(['pos'])
  })

  it('still refuses unknown flags', () => {
    expect(() => parseCommandArgs(['--nope'], command)).toThrow(UsageError)
  })
})
