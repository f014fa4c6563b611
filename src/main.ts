#!/usr/bin/env bun
import { dispatch } from './cli/commands.ts'
import type { CliIo } from './cli/io.ts'

/** The only module that touches the process: argv, env, stdio, signals and the exit code. */
const writes: Promise<unknown>[] = []
const write = (stream: NodeJS.WriteStream, text: string) => {
  writes.push(new Promise((resolve) => stream.write(text, resolve)))
}

const io: CliIo = {
  env: process.env,
  out: (text) => write(process.stdout, text),
  err: (text) => write(process.stderr, text),
  async readLine() {
    for await (const line of console) return line
    return null
  },
  onSignal(handler) {
    process.on('SIGTERM', () => handler('SIGTERM'))
    process.on('SIGINT', () => handler('SIGINT'))
  },
  fetch,
}

const code = await dispatch(process.argv.slice(2), io)
// Pipes are asynchronous: exit only once everything written has been flushed.
await Promise.all(writes)
process.exit(code)
