import type { ThreadHost } from '../cluster/threads.ts'

/**
 * Everything a command may use from its process. Only `src/main.ts` builds the real one, so commands
 * never touch `process` and tests can run them with their own.
 */
export interface CliIo extends ThreadHost {
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
}
