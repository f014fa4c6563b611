import { afterAll } from 'bun:test'
import { closeAll } from './_harness.ts'

// Preloaded by bunfig.toml: a global afterAll runs once, after every test file.
afterAll(closeAll, 120_000)
