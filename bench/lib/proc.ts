import { readdirSync, readFileSync } from 'node:fs'
import type { Subprocess } from 'bun'

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux/x86_64). */
const USER_HZ = 100

export interface ProcStatus {
  /** Resident set size now, bytes. */
  rss: number
  /** Peak resident set size since the process started, bytes. */
  hwm: number
}

/** Fields of /proc/<pid>/stat after the parenthesised command name (field 3 onwards); null once gone. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** The process and all its descendants (the peer runs as one; Gatehouse's serve.workers are threads of one). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const ppid = Number(statFields(Number(entry))?.[1] ?? 0)
    if (ppid) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []))
  return tree
}

/** VmRSS and VmHWM summed over a live process and its descendants; zeros once it is gone. */
export function procStatus(pid: number): ProcStatus {
  let rss = 0
  let hwm = 0
  for (const p of processTree(pid)) {
    try {
      const text = readFileSync(`/proc/${p}/status`, 'utf8')
      const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024
      rss += kb('VmRSS')
      hwm += kb('VmHWM')
    } catch {
      // exited meanwhile
    }
  }
  return { rss, hwm }
}

/** CPU seconds (user + system) a live process and its descendants have used so far. */
export function cpuSeconds(pid: number): number {
  let total = 0
  for (const p of processTree(pid)) {
    const fields = statFields(p)
    // utime and stime are fields 14 and 15.
    if (fields) total += (Number(fields[11]) + Number(fields[12])) / USER_HZ
  }
  return total
}

export interface ServerSpec {
  name: string
  cmd: string[]
  env?: Record<string, string>
  cwd?: string
  /** Polled until it answers 200. */
  readyUrl: string
  logFile: string
  timeoutMs?: number
}

export interface RunningProcess {
  readonly name: string
  readonly pid: number
  readonly proc: Subprocess
  /** Milliseconds from spawn to the first 200 from readyUrl. */
  readonly readyMs: number
  stop(): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// Servers still running, so that an interrupted run (Ctrl-C) does not leave them behind.
const live = new Set<Subprocess>()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const p of live) p.kill('SIGKILL')
    process.exit(130)
  })
}

/** Polls `url` until it answers 200, the process exits or the time is up. */
export async function waitReady(url: string, proc: Subprocess, timeoutMs: number, intervalMs = 2): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) return false
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) })
      await res.arrayBuffer()
      if (res.status === 200) return true
    } catch {
      // not listening yet
    }
    await sleep(intervalMs)
  }
  return false
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/** Starts a server, waits until it is ready and returns a handle; throws with its log tail if it is not. */
export async function startServer(spec: ServerSpec): Promise<RunningProcess> {
  const started = performance.now()
  const proc = Bun.spawn(spec.cmd, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdin: 'ignore',
    stdout: Bun.file(spec.logFile),
    stderr: Bun.file(`${spec.logFile}.err`),
  })
  live.add(proc)
  void proc.exited.then(() => live.delete(proc))
  const ok = await waitReady(spec.readyUrl, proc, spec.timeoutMs ?? 30_000)
  const readyMs = performance.now() - started
  const handle: RunningProcess = {
    name: spec.name,
    pid: proc.pid,
    proc,
    readyMs,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill('SIGTERM')
      const exited = await Promise.race([proc.exited.then(() => true), sleep(5000).then(() => false)])
      if (!exited) {
        proc.kill('SIGKILL')
        await proc.exited
      }
    },
  }
  if (!ok) {
    await handle.stop()
    throw new Error(`${spec.name} did not become ready at ${spec.readyUrl}:\n${tail(`${spec.logFile}.err`)}\n${tail(spec.logFile)}`)
  }
  return handle
}

const handedOut = new Set<number>()

/** A free TCP port on 127.0.0.1 (bound and released at once), never the same one twice in a run. */
export function freePort(): number {
  for (;;) {
    const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    const port = server.port
    server.stop(true)
    if (!handedOut.has(port)) {
      handedOut.add(port)
      return port
    }
  }
}

/** Runs a command to completion with a time limit; returns its exit code, output and resource use. */
export async function runCommand(cmd: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}) {
  const started = performance.now()
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 600_000)
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  const code = await proc.exited
  clearTimeout(timer)
  const usage = proc.resourceUsage()
  return {
    code,
    stdout,
    stderr,
    wallMs: performance.now() - started,
    maxRss: usage?.maxRSS ?? 0,
    cpuSeconds: usage ? Number(usage.cpuTime.total) / 1e6 : 0,
  }
}
