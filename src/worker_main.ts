import { dispatch } from './cli/commands.ts'
import { processOutput } from './cli/process_output.ts'
import type { CliIo } from './cli/io.ts'
import type { ExitMessage } from './cluster/threads.ts'

/**
 * The entry of a worker thread (`serve.workers` > 1): the same command line as the first thread, with the
 * thread that started it at the other end of postMessage. Signals reach the first thread, whose supervisor
 * tells this one to stop.
 */
declare const self: {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  close(): void
}

const output = processOutput()

const io: CliIo = {
  env: process.env,
  out: output.out,
  err: output.err,
  readLine: async () => null,
  onSignal() {},
  fetch,
  parent: {
    send: (message) => self.postMessage(message),
    onMessage: (handler) => self.addEventListener('message', ({ data }) => handler(data)),
  },
}

const code = await dispatch(process.argv.slice(2), io)
await output.flushed()
self.postMessage({ type: 'exit', code } satisfies ExitMessage)
self.close()
