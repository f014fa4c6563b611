import { cpus, freemem, hostname, loadavg, totalmem } from 'node:os'
import { readFileSync } from 'node:fs'

export interface Machine {
  host: string
  kernel: string
  cpu: string
  cores: number
  memoryGiB: number
  freeMemoryGiB: number
  loadavg: number[]
  bun: string
  node: string | null
  wrk: string | null
  postgres: string | null
}

function commandOutput(cmd: string[]): string | null {
  if (!Bun.which(cmd[0]!)) return null
  const r = Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe' })
  const text = `${r.stdout.toString()}${r.stderr.toString()}`.trim().split('\n')[0] ?? ''
  return text || null
}

/** What the benchmark ran on, read from the machine at the time of the run. */
export function describeMachine(postgres: string | null): Machine {
  let kernel = ''
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()
  } catch {
    kernel = process.platform
  }
  const list = cpus()
  return {
    host: hostname(),
    kernel,
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    bun: Bun.version,
    node: commandOutput(['node', '--version']),
    wrk: commandOutput(['wrk', '--version'])?.replace(/\s*\[.*$/, '') ?? null,
    postgres,
  }
}

export const loadNow = () => loadavg().map((l) => Math.round(l * 100) / 100)
