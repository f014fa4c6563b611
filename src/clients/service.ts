import { randomUUID } from 'node:crypto'
import type { CoreContext } from '../protocol/context.ts'
import { Conflict, InvalidRequest, NotFound } from '../protocol/errors.ts'
import { StoreError, type ClientRow } from '../store/types.ts'
import { withDefaults, type ClientInput } from './defaults.ts'
import { readClientInput, readLifespans } from './input.ts'
import { applyJsonPatch, JsonPatchError, type Json } from './json_patch.ts'
import type { OAuth2Client } from '../protocol/client.ts'
import { recordFromRow } from './record.ts'
import { sealedSecretAad } from './sealed_secret.ts'
import { generateSecret, hashSecret } from './secret_hash.ts'
import { SECRET_METHODS, validateClient } from './validate.ts'
import { invalidateClient } from '../protocol/services.ts'
import { keysetPage, openPageToken } from '../protocol/page_token.ts'

/** What the client admin API needs: the core services, and the grant types clients may register (built-in and plugins'). */
export type ClientsContext = Pick<CoreContext, 'config' | 'store' | 'clock' | 'sealer' | 'clients' | 'peers'> & {
  readonly grants: { types(): string[] }
}

/** A client as returned by create, replace and rotate: with the plaintext secret when one was just set. */
export type ClientWithSecret = OAuth2Client & { client_secret?: string }

/**
 * A write by dynamic client registration (RFC 7591, RFC 7592): the signature of the client's new registration
 * access token and, on a replace, the signature it replaces (the write is refused if that is no longer stored).
 */
export interface RegistrationWrite {
  signature: string
  replaces?: string
}

/** How many previous secret hashes stay valid after rotation (Hydra keeps five). */
export const MAX_ROTATED_SECRETS = 5
const ROTATABLE = ['client_secret_basic', 'client_secret_post']
const PAGE_TOKEN_AAD = 'clients/page_token'
/** The AAD binding a client_secret_jwt client's sealed secret to its id (what client_auth opens with). */

const notFound = (id: string) => NotFound.with({ hint: `Client "${id}" does not exist.` })

async function load(ctx: ClientsContext, id: string): Promise<ClientRow> {
  const row = await ctx.store.clients.get(id)
  if (!row) throw notFound(id)
  return row
}

/** Applies defaults, validates, settles the secret and builds the row; nothing is written. */
async function prepare(ctx: ClientsContext, input: ClientInput, existing: ClientRow | null) {
  const { config } = ctx
  const doc = withDefaults(input, { subjectTypes: config.oidc.subject_identifiers.supported_types, newId: randomUUID })
  validateClient(doc, input.client_secret, {
    dev: config.dev,
    subjectTypes: config.oidc.subject_identifiers.supported_types,
    hasher: config.oauth2.hashers.algorithm,
    // Includes grant types registered by plugins.
    grantTypes: ctx.grants.types(),
  })
  let secret = input.client_secret || undefined
  let hash = existing?.secret_hash ?? null
  let rotated = existing?.rotated_secrets ?? []
  const jwt = doc.token_endpoint_auth_method === 'client_secret_jwt'
  if (SECRET_METHODS.includes(doc.token_endpoint_auth_method)) {
    // client_secret_jwt needs the plaintext (sealed); a secret known only by its hash cannot serve it.
    if (!secret && (!hash || (jwt && !existing?.secret_sealed))) secret = generateSecret()
  } else {
    hash = null
    rotated = []
  }
  if (secret) hash = await hashSecret(secret, config.oauth2.hashers)
  const now = ctx.clock()
  const row: ClientRow = {
    id: doc.client_id,
    client_name: doc.client_name,
    owner: doc.owner,
    secret_hash: hash,
    rotated_secrets: rotated,
    // Undefined keeps the stored sealed secret; null clears it.
    secret_sealed: !jwt ? null : secret ? ctx.sealer.seal(secret, sealedSecretAad(doc.client_id)) : undefined,
    data: doc as unknown as Record<string, unknown>,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  }
  return { row, secret }
}

const view = (row: ClientRow, secret?: string): ClientWithSecret => {
  const client: ClientWithSecret = recordFromRow(row).client
  if (secret) client.client_secret = secret
  return client
}

async function save(ctx: ClientsContext, row: ClientRow, ifRegistration?: string) {
  try {
    await ctx.store.clients.update(row, ifRegistration)
  } catch (err) {
    if (err instanceof StoreError && err.code === 'not_found') throw notFound(row.id)
    throw err
  } finally {
    invalidateClient(ctx, row.id)
  }
}

/** POST /admin/clients: the secret (given or generated) is returned once and stored hashed. */
export async function createClient(
  ctx: ClientsContext,
  body: Record<string, unknown>,
  registration?: RegistrationWrite,
): Promise<ClientWithSecret> {
  const { row, secret } = await prepare(ctx, readClientInput(body), null)
  if (registration) row.registration_access_token_signature = registration.signature
  try {
    await ctx.store.clients.create(row)
  } catch (err) {
    if (err instanceof StoreError && err.code === 'conflict') {
      throw Conflict.with({ hint: `A client with id "${row.id}" already exists.` })
    }
    throw err
  } finally {
    invalidateClient(ctx, row.id)
  }
  return view(row, secret)
}

export async function getClient(ctx: ClientsContext, id: string): Promise<OAuth2Client> {
  return view(await load(ctx, id))
}

/** PUT /admin/clients/{id}: full replace; an empty or absent client_secret keeps the current one. */
export async function replaceClient(
  ctx: ClientsContext,
  id: string,
  body: Record<string, unknown>,
  registration?: RegistrationWrite,
): Promise<ClientWithSecret> {
  const input = readClientInput(body)
  if (input.client_id && input.client_id !== id) {
    throw InvalidRequest.with({ hint: 'The client_id in the body does not match the client_id in the path.' })
  }
  const existing = await load(ctx, id)
  const { row, secret } = await prepare(ctx, { ...input, client_id: id }, existing)
  if (registration) row.registration_access_token_signature = registration.signature
  await save(ctx, row, registration?.replaces)
  return view(row, secret)
}

/** PATCH /admin/clients/{id}: RFC 6902 on the client document, then validated like a PUT. */
export async function patchClient(ctx: ClientsContext, id: string, patch: unknown): Promise<ClientWithSecret> {
  const existing = await load(ctx, id)
  const current = { ...recordFromRow(existing).client, client_secret: '' } as unknown as Json
  let patched: Json
  try {
    patched = applyJsonPatch(current, patch)
  } catch (err) {
    if (err instanceof JsonPatchError) throw InvalidRequest.with({ hint: `The JSON Patch could not be applied. ${err.message}` })
    throw err
  }
  if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
    throw InvalidRequest.with({ hint: 'The patched client must be a JSON object.' })
  }
  if (patched.client_id !== id) throw InvalidRequest.with({ hint: 'The client_id cannot be changed.' })
  const { row, secret } = await prepare(ctx, readClientInput(patched), existing)
  await save(ctx, row)
  return view(row, secret)
}

/** PUT /admin/clients/{id}/lifespans: replaces all 13 per-grant lifespans (absent = null). */
export async function setLifespans(ctx: ClientsContext, id: string, body: Record<string, unknown>): Promise<OAuth2Client> {
  const lifespans = readLifespans(body, true)
  const existing = await load(ctx, id)
  const input = { ...readClientInput(recordFromRow(existing).client as unknown as Record<string, unknown>), ...lifespans }
  const { row } = await prepare(ctx, input, existing)
  await save(ctx, row)
  return view(row)
}

/** DELETE /admin/clients/{id}: the client and every token issued to it, in one transaction. */
export async function deleteClient(ctx: ClientsContext, id: string): Promise<void> {
  try {
    await ctx.store.tx(async (tx) => {
      for (const kind of ['access_token', 'refresh_token', 'authorization_code'] as const) {
        await tx.tokens.deleteByClient(kind, id)
      }
      if (!(await tx.clients.delete(id))) throw notFound(id)
    })
  } finally {
    invalidateClient(ctx, id)
  }
}

/** POST /admin/clients/{id}/secrets/rotate: a new secret; the previous hash stays valid (newest five). */
export async function rotateSecret(ctx: ClientsContext, id: string): Promise<ClientWithSecret> {
  const existing = await load(ctx, id)
  const method = String(existing.data.token_endpoint_auth_method)
  if (!ROTATABLE.includes(method)) {
    throw InvalidRequest.with({
      hint: 'Secret rotation is only available for clients with token_endpoint_auth_method client_secret_basic or client_secret_post.',
    })
  }
  const secret = generateSecret()
  const previous = existing.secret_hash ? [existing.secret_hash] : []
  const row: ClientRow = {
    ...existing,
    secret_hash: await hashSecret(secret, ctx.config.oauth2.hashers),
    rotated_secrets: [...previous, ...existing.rotated_secrets].slice(0, MAX_ROTATED_SECRETS),
    updated_at: ctx.clock(),
  }
  await save(ctx, row)
  return view(row, secret)
}

/** DELETE /admin/clients/{id}/secrets/rotate: only the current secret stays valid. */
export async function deleteRotatedSecrets(ctx: ClientsContext, id: string): Promise<void> {
  const existing = await load(ctx, id)
  await save(ctx, { ...existing, rotated_secrets: [], updated_at: ctx.clock() })
}

export interface ListQuery {
  pageSize: number
  pageToken?: string
  clientName?: string
  owner?: string
}

/** GET /admin/clients: keyset pagination by id; the page token is sealed so it cannot be forged. */
export async function listClients(ctx: ClientsContext, q: ListQuery): Promise<{ clients: OAuth2Client[]; next?: string }> {
  const after = openPageToken(ctx.sealer, q.pageToken, PAGE_TOKEN_AAD)
  const rows = await ctx.store.clients.list({
    limit: q.pageSize + 1,
    ...(after !== undefined && { after }),
    ...(q.clientName !== undefined && { client_name: q.clientName }),
    ...(q.owner !== undefined && { owner: q.owner }),
  })
  const { page, next } = keysetPage(ctx.sealer, rows, q.pageSize, (r) => r.id, PAGE_TOKEN_AAD)
  const clients = page.map((r) => view(r))
  return next === undefined ? { clients } : { clients, next }
}
