#!/usr/bin/env bun
import { dispatch } from './cli/commands.ts'
import type { CliIo, ParentChannel } from './cli/io.ts'

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
  spawnSelf(env, onMessage) {
    // A compiled binary is its own program; from source, Bun runs the entry script again.
    const self = Bun.main.startsWith('/$bunfs/') ? [process.execPath] : [process.execPath, Bun.main]
    const child = Bun.spawn([...self, ...process.argv.slice(2)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
      ipc: (message) => onMessage(message),
    })
    return {
      pid: child.pid,
      exited: child.exited,
      send: (message) => child.send(message),
      kill: (signal) => child.kill(signal),
    }
  },
  parent: process.send ? parentChannel() : null,
}

function parentChannel(): ParentChannel {
  const parentPid = process.ppid
  return {
    send: (message) => process.send?.(message),
    onMessage: (handler) => process.on('message', handler),
    parentAlive: () => process.ppid === parentPid,
  }
}

const code = await dispatch(process.argv.slice(2), io)
// Pipes are asynchronous: exit only once everything written has been flushed.
await Promise.all(writes)
process.exit(code)
