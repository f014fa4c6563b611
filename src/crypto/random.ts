import { randomFillSync } from 'node:crypto'

const POOL_SIZE = 4096
const pool = Buffer.allocUnsafe(POOL_SIZE)
let offset = POOL_SIZE

/**
 * `n` bytes from the CSPRNG, as a new Buffer. Bytes are drawn from a pool refilled 4 KiB at a time (as
 * Node's randomUUID does), so minting a token does not pay for a CSPRNG call; no byte is handed out twice.
 */
export function randomBytesFast(n: number): Buffer {
  if (n > POOL_SIZE / 4) return randomFillSync(Buffer.allocUnsafe(n))
  if (offset + n > POOL_SIZE) {
    randomFillSync(pool)
    offset = 0
  }
  const out = Buffer.from(pool.subarray(offset, offset + n))
  offset += n
  return out
}
