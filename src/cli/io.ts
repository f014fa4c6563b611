/**
 * Everything a command may use from its process. Only `src/main.ts` builds the real one, so commands
 * never touch `process` and tests can run them with their own.
 */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Writes to standard output as is. */
  out(text: string): void
  /** Writes to standard error as is. */
  err(text: string): void
  /** One line of standard input, or null at its end. */
  readLine(): Promise<string | null>
  /** Calls `handler` with the signal's name on every SIGTERM and SIGINT. */
  onSignal(handler: (signal: string) => void): void
  readonly fetch: typeof fetch
  /** Starts this same command line again in a new process with `env` added, connected by IPC. */
  spawnSelf?(env: Readonly<Record<string, string>>, onMessage: (message: unknown) => void): ChildHandle
  /** In a process that `spawnSelf` started: the IPC channel to the process that started it. */
  readonly parent?: ParentChannel | null
}

/** A process started by `spawnSelf`. */
export interface ChildHandle {
  readonly pid: number
  /** Resolves with the exit code (or 128 + signal number) once the process has exited. */
  readonly exited: Promise<number>
  send(message: unknown): void
  kill(signal: 'SIGTERM' | 'SIGKILL'): void
}

/** The IPC channel of a process started by `spawnSelf`. */
export interface ParentChannel {
  send(message: unknown): void
  onMessage(handler: (message: unknown) => void): void
  /** Whether the process that started this one is still its parent. */
  parentAlive(): boolean
}

/** Exit codes: 0 success, 1 failure, 2 wrong usage. */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
