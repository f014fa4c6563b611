#!/usr/bin/env bun
import { dispatch } from './cli/commands.ts'
import { processOutput } from './cli/process_output.ts'
import { type CliIo } from './cli/io.ts'
import { EXIT_FAILURE } from './util/exit_codes.ts'
import { isExit } from './cluster/threads.ts'

/** With src/worker_main.ts, the only module that touches the process: argv, env, stdio, signals, threads, exit code. */
const output = processOutput()

const io: CliIo = {
  env: process.env,
  out: output.out,
  err: output.err,
  async readLine() {
    for await (const line of console) return line
    return null
  },
  onSignal(handler) {
    process.on('SIGTERM', () => handler('SIGTERM'))
    process.on('SIGINT', () => handler('SIGINT'))
  },
  fetch,
  spawnWorker(env, onMessage) {
    // In the compiled binary the thread's entry is a second entry point of the build (package.json "build").
    const worker = new Worker(new URL('./worker_main.ts', import.meta.url).href, {
      env: { ...process.env, ...env },
      argv: process.argv.slice(2),
    } as WorkerOptions)
    let code = EXIT_FAILURE
    let failure: string | undefined
    const exited = new Promise<number>((resolve) => worker.addEventListener('close', () => resolve(code)))
    worker.addEventListener('error', (event) => (failure = event.message || String(event.error)))
    worker.addEventListener('message', ({ data }) => {
      if (isExit(data)) code = data.code
      else onMessage(data)
    })
    return {
      threadId: worker.threadId,
      exited,
      send: (message) => worker.postMessage(message),
      terminate: () => void worker.terminate(),
      failure: () => failure,
    }
  },
  parent: null,
}

const code = await dispatch(process.argv.slice(2), io)
// Pipes are asynchronous: exit only once everything written has been flushed.
await output.flushed()
process.exit(code)
