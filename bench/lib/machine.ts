import { cpus, freemem, hostname, loadavg, totalmem } from 'node:os'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface Machine {
  host: string
  kernel: string
  cpu: string
  cores: number
  /** The CPU features that decide how fast RSA, ECDSA and AES run here (x86 flags from /proc/cpuinfo). */
  cpuFlags: string[]
  memoryGiB: number
  freeMemoryGiB: number
  loadavg: number[]
  bun: string
  node: string | null
  wrk: string | null
  postgres: string | null
  /** The commit measured, `+changes` when the product's files differed from it; null outside a git checkout. */
  build: string | null
}

const ROOT = join(import.meta.dir, '..', '..')
const CRYPTO_FLAGS = ['aes', 'avx2', 'adx', 'bmi2', 'sha_ni', 'vaes', 'vpclmulqdq', 'avx512f', 'avx512ifma']

function commandOutput(cmd: string[]): string | null {
  if (!Bun.which(cmd[0]!)) return null
  const r = Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe', cwd: ROOT })
  const text = `${r.stdout.toString()}${r.stderr.toString()}`.trim().split('\n')[0] ?? ''
  return text || null
}

function cpuFlags(): string[] {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? ''
    const present = new Set(line.trim().split(/\s+/))
    return CRYPTO_FLAGS.filter((f) => present.has(f))
  } catch {
    return []
  }
}

function build(): string | null {
  const commit = commandOutput(['git', 'rev-parse', '--short', 'HEAD'])
  if (!commit || !/^[0-9a-f]+$/.test(commit)) return null
  const changed = commandOutput(['git', 'status', '--porcelain', '--', 'src', 'plugins', 'migrations', 'package.json', 'bun.lock'])
  return changed ? `${commit}+changes` : commit
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
    cpuFlags: cpuFlags(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    bun: Bun.version,
    node: commandOutput(['node', '--version']),
    wrk: commandOutput(['wrk', '--version'])?.replace(/\s*\[.*$/, '') ?? null,
    postgres,
    build: build(),
  }
}

export const loadNow = () => loadavg().map((l) => Math.round(l * 100) / 100)
