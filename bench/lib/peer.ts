import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, startServer, type RunningProcess } from './proc.ts'

export type PeerRuntime = 'node' | 'bun'

export interface Peer {
  runtime: PeerRuntime
  proc: RunningProcess
  url: string
}

const PEER_SCRIPT = join(import.meta.dir, '..', 'peer.mjs')
const ROOT = join(import.meta.dir, '..', '..')

/** Whether oidc-provider is installed (a dev dependency: `bun install`). */
export const havePeer = () => existsSync(join(ROOT, 'node_modules', 'oidc-provider', 'package.json'))

/** The runtimes the peer can run on here. */
export const peerRuntimes = (): PeerRuntime[] => (Bun.which('node') ? ['node', 'bun'] : ['bun'])

export async function startPeer(
  runtime: PeerRuntime,
  o: { workdir: string; fmt: 'opaque' | 'jwt'; alg: 'ES256' | 'RS256'; name: string },
): Promise<Peer> {
  const port = freePort()
  const exe = runtime === 'node' ? Bun.which('node')! : process.execPath
  const proc = await startServer({
    name: `${o.name}-${runtime}`,
    cmd: [exe, PEER_SCRIPT],
    cwd: ROOT,
    env: { PORT: String(port), FMT: o.fmt, ALG: o.alg, NODE_ENV: 'production' },
    readyUrl: `http://127.0.0.1:${port}/.well-known/openid-configuration`,
    logFile: join(o.workdir, `${o.name}-${runtime}.log`),
    timeoutMs: 60_000,
  })
  return { runtime, proc, url: `http://127.0.0.1:${port}` }
}
