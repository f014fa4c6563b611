/** Standard output and error of the process, for the two entry points (src/main.ts, src/worker_main.ts). */
export function processOutput() {
  const pending = new Set<Promise<unknown>>()
  const write = (stream: NodeJS.WriteStream, text: string) => {
    const written: Promise<unknown> = new Promise((resolve) => stream.write(text, resolve)).then(() => pending.delete(written))
    pending.add(written)
  }
  return {
    out: (text: string) => write(process.stdout, text),
    err: (text: string) => write(process.stderr, text),
    /** Settles once everything written so far has been flushed (pipes are asynchronous). */
    flushed: () => Promise.all(pending),
  }
}
