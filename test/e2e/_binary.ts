import { statSync } from 'node:fs'
import { afterAll, beforeAll } from 'bun:test'
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OutputLines, ROOT } from '../_harness.ts'

export const BINARY = join(ROOT, 'dist', 'gatehouse')

const mtime = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0

/** The newest modification time among the files the binary is built from. */
function newestSource(): number {
  let newest = Math.max(mtime(join(ROOT, 'package.json')), mtime(join(ROOT, 'bun.lock')))
  for (const dir of ['src', 'migrations', 'plugins']) {
    for (const file of new Bun.Glob('**/*').scanSync({ cwd: join(ROOT, dir), dot: true })) {
      newest = Math.max(newest, mtime(join(ROOT, dir, file)))
    }
  }
  return newest
}

/** Runs `bun run build` when dist/gatehouse is missing or older than its sources. */
export async function ensureBinary(): Promise<void> {
  if (mtime(BINARY) > newestSource()) return
  const build = Bun.spawn([process.execPath, 'run', 'build'], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
  const [code, out, err] = await Promise.all([build.exited, new Response(build.stdout).text(), new Response(build.stderr).text()])
  if (code !== 0) throw new Error(`bun run build exited ${code}\n${out}${err}`)
}

/** A copy of the binary alone in a fresh temporary directory (no node_modules anywhere near it). */
export async function isolatedBinary(): Promise<{ dir: string; bin: string }> {
  await ensureBinary()
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-e2e-'))
  const bin = join(dir, 'gatehouse')
  await copyFile(BINARY, bin)
  return { dir, bin }
}

/**
 * For a test file: before its tests, a copy of the binary alone in a fresh directory (`dir`, `bin` are set
 * then); after them, whatever `startBinary` started is killed and the directory removed.
 */
export function binaryForSuite(): { dir: string; bin: string } {
  const suite = { dir: '', bin: '' }
  beforeAll(async () => {
    Object.assign(suite, await isolatedBinary())
  }, 120_000)
  afterAll(async () => {
    killStarted()
    if (suite.dir) await rm(suite.dir, { recursive: true, force: true })
  })
  return suite
}

const running = new Set<Bun.Subprocess>()

/** Starts the binary with exactly `env`; its stdout and stderr are collected line by line. */
export function startBinary(bin: string, args: string[], options: { cwd: string; env: Record<string, string> }) {
  const proc = Bun.spawn([bin, ...args], { ...options, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  running.add(proc)
  void proc.exited.then(() => running.delete(proc))
  return { proc, output: new OutputLines([proc.stdout, proc.stderr]) }
}

/** Kills whatever `startBinary` started that is still running (for afterAll). */
export function killStarted() {
  for (const proc of running) proc.kill('SIGKILL')
}

export type Ports = { public: number; admin: number }

/** A `waitFor` matcher for the `listening` log lines of `serve`: the ports once both APIs have one. */
export function listeningPorts() {
  const seen: Partial<Ports> = {}
  return (line: string): Ports | undefined => {
    let entry: { msg?: string; api?: string; port?: number }
    try {
      entry = JSON.parse(line)
    } catch {
      return undefined
    }
    if (entry.msg === 'listening' && (entry.api === 'public' || entry.api === 'admin')) seen[entry.api] = entry.port
    return seen.public && seen.admin ? { public: seen.public, admin: seen.admin } : undefined
  }
}
