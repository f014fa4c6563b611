/** What a process offers for running a command on several threads (`serve.workers`); src/main.ts provides it. */
export interface ThreadHost {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Runs this same command line again on a new thread of this process with `env`, connected by messages. */
  spawnWorker?(env: Readonly<Record<string, string>>, onMessage: (message: unknown) => void): WorkerHandle
  /** On a thread that `spawnWorker` started: the channel to the thread that started it. */
  readonly parent?: ParentChannel | null
}

/** A thread started by `spawnWorker`. */
export interface WorkerHandle {
  /** The thread's id within the process. */
  readonly threadId: number
  /** Resolves with the command's exit code once the thread has ended (1 if it ended without one). */
  readonly exited: Promise<number>
  send(message: unknown): void
  /** Ends the thread at once, whatever it is doing. */
  terminate(): void
  /** The uncaught error that ended the thread, if one did. */
  failure?(): string | undefined
}

/** The channel of a thread started by `spawnWorker` to the thread that started it. */
export interface ParentChannel {
  send(message: unknown): void
  onMessage(handler: (message: unknown) => void): void
}

/** What a worker thread sends last: its command's exit code. */
export interface ExitMessage {
  type: 'exit'
  code: number
}

export const isExit = (m: unknown): m is ExitMessage => {
  const v = m as Partial<ExitMessage> | null
  return v?.type === 'exit' && typeof v.code === 'number'
}
