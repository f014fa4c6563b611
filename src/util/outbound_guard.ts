import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'

/** Settings of `clients.http`: Hydra's guard against requests to private networks (SSRF). */
export interface OutboundPolicy {
  disallow_private_ip_ranges: boolean
  private_ip_exception_urls: readonly string[]
}

const V4_PRIVATE: readonly [number, number][] = [
  [0x00000000, 8], // 0.0.0.0/8 "this network"
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 carrier-grade NAT
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local (cloud metadata)
  [0xac100000, 12], // 172.16/12
  [0xc0000000, 24], // 192.0.0/24 IETF protocol assignments
  [0xc0a80000, 16], // 192.168/16
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xe0000000, 4], // 224/4 multicast
  [0xf0000000, 4], // 240/4 reserved, broadcast
]

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0)
}

function isPrivateV4(ip: string): boolean {
  const n = v4ToInt(ip)
  return V4_PRIVATE.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)))
}

function isPrivateV6(ip: string): boolean {
  const lower = ip.toLowerCase()
  const mapped = /^(?:0*:)*(?:0*:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (mapped) return isPrivateV4(mapped[1]!)
  if (lower === '::' || lower === '::1') return true
  const first = Number.parseInt(lower.split(':')[0] || '0', 16)
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00
}

/** Whether an IP address is loopback, private, link-local, shared, reserved or multicast. */
export function isPrivateAddress(ip: string): boolean {
  const kind = isIP(ip)
  if (kind === 4) return isPrivateV4(ip)
  if (kind === 6) return isPrivateV6(ip)
  return true
}

/**
 * Refuses an outbound URL whose host is or resolves to a private address when
 * `clients.http.disallow_private_ip_ranges` is on, unless the URL is listed in `private_ip_exception_urls`.
 * Throws an Error naming the host and address; callers turn it into their own error.
 */
export async function assertOutboundAllowed(policy: OutboundPolicy, url: string): Promise<void> {
  if (!policy.disallow_private_ip_ranges || policy.private_ip_exception_urls.includes(url)) return
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address)
  const refused = addresses.find(isPrivateAddress)
  if (refused !== undefined) {
    throw new Error(`${host} resolves to ${refused}, a private address (clients.http.disallow_private_ip_ranges)`)
  }
}

/**
 * The body of an outbound response as text, refusing one larger than `maxBytes` whether announced (Content-Length)
 * or streamed: the read stops there and `tooLarge()` is thrown.
 */
export async function readLimited(res: Response, maxBytes: number, tooLarge: () => Error): Promise<string> {
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    await res.body?.cancel()
    throw tooLarge()
  }
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}
