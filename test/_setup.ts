import { afterAll, setDefaultTimeout } from 'bun:test'
import { closeAll } from './_harness.ts'

// Preloaded by bunfig.toml: a global afterAll runs once, after every test file. Store-backed tests on a
// loaded machine can take longer than bun's 5 s default, which bunfig.toml cannot change in this Bun version.
setDefaultTimeout(30_000)
afterAll(closeAll, 120_000)
