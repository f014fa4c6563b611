import type { JWK } from 'jose'
import type { Sealer } from '../crypto/aead.ts'
import type { KeyRow, Store } from '../store/types.ts'

/** The additional data that binds a sealed key to its set and kid. */
const aad = (setId: string, kid: string) => `${setId}/${kid}`

/** A key as stored: the whole JWK (private parts included) AES-256-GCM sealed with secrets.system[0]. */
export function sealKey(sealer: Sealer, setId: string, jwk: JWK, createdAt: number): KeyRow {
  const kid = jwk.kid!
  return { set_id: setId, kid, keydata: sealer.seal(JSON.stringify(jwk), aad(setId, kid)), created_at: createdAt }
}

/** Opens a stored key with any of the system secrets; throws (without key material) when none fits. */
export function openKey(sealer: Sealer, row: KeyRow): JWK {
  let text: string
  try {
    text = sealer.open(row.keydata, aad(row.set_id, row.kid))
  } catch {
    throw new Error(`key ${row.kid} of set ${row.set_id} cannot be decrypted with any of secrets.system`)
  }
  return JSON.parse(text) as JWK
}

/** Every key of a set, opened, newest first. */
export async function readSet(store: Store, sealer: Sealer, setId: string): Promise<JWK[]> {
  return (await store.keys.listSet(setId)).map((row) => openKey(sealer, row))
}

export async function readKey(store: Store, sealer: Sealer, setId: string, kid: string): Promise<JWK | null> {
  const row = await store.keys.get(setId, kid)
  return row ? openKey(sealer, row) : null
}

/**
 * Replaces a whole set in one transaction. Keys are written last to first, so the first key of `jwks`
 * becomes the newest: it signs, and reads list the set in the given order.
 */
export async function replaceSet(store: Store, sealer: Sealer, setId: string, jwks: JWK[], now: number): Promise<void> {
  const rows = jwks.map((jwk) => sealKey(sealer, setId, jwk, now)).reverse()
  await store.tx(async (tx) => {
    await tx.keys.deleteSet(setId)
    for (const row of rows) await tx.keys.add(row)
  })
}

/** Inserts or replaces one key in one transaction; like a new key, it becomes the newest of its set (as in Hydra). */
export async function upsertKey(store: Store, sealer: Sealer, setId: string, jwk: JWK, now: number): Promise<void> {
  const row = sealKey(sealer, setId, jwk, now)
  await store.tx(async (tx) => {
    await tx.keys.deleteKey(setId, row.kid)
    await tx.keys.add(row)
  })
}
