import { Elysia } from 'elysia'
import type { JWK } from 'jose'
import type { AppContext } from '../../context.ts'
import { generateJwk, GENERATED_ALGS, isGeneratedAlg } from '../../keys/generate.ts'
import { checkIdentifier, checkSetName, validateJwk } from '../../keys/jwk.ts'
import { readKey, readSet, replaceSet, sealKey, upsertKey } from '../../keys/key_set.ts'
import { Conflict, InvalidRequest, NotFound } from '../../protocol/errors.ts'
import { StoreError } from '../../store/types.ts'
import { json, readJson } from '../body.ts'
import { invalidateKeySet } from '../../protocol/services.ts'

/** At most this many keys in one PUT of a whole set. */
const MAX_KEYS_PER_SET = 100

const setNotFound = (set: string) => NotFound.with({ hint: `The JSON Web Key Set "${set}" does not exist.` })
const keyNotFound = (set: string, kid: string) =>
  NotFound.with({ hint: `The JSON Web Key "${kid}" does not exist in set "${set}".` })
const noContent = () => new Response(null, { status: 204 })

async function createKey(ctx: AppContext, set: string, request: Request): Promise<JWK> {
  const body = await readJson(request)
  if (!isGeneratedAlg(body.alg)) {
    throw InvalidRequest.with({ hint: `"alg" must be one of ${GENERATED_ALGS.join(', ')}.` })
  }
  const use = body.use === undefined || body.use === '' ? 'sig' : body.use
  if (use !== 'sig' && use !== 'enc') throw InvalidRequest.with({ hint: '"use" must be "sig" or "enc".' })
  const kid = body.kid === undefined || body.kid === '' ? crypto.randomUUID() : checkIdentifier(body.kid, '"kid"')
  if (await ctx.store.keys.get(set, kid)) throw Conflict.with({ hint: `The set "${set}" already has a key "${kid}".` })
  const jwk = await generateJwk({ alg: body.alg, use, kid, rsaModulusLength: ctx.config.keys.rsa_modulus_length })
  try {
    await ctx.store.keys.add(sealKey(ctx.sealer, set, jwk, ctx.clock()))
  } catch (err) {
    if (err instanceof StoreError && err.code === 'conflict') {
      throw Conflict.with({ hint: `The set "${set}" already has a key "${kid}".` })
    }
    throw err
  }
  return jwk
}

async function parseSet(request: Request): Promise<JWK[]> {
  const body = await readJson(request)
  if (!Array.isArray(body.keys) || body.keys.length === 0) {
    throw InvalidRequest.with({ hint: '"keys" must be a non-empty array of JSON Web Keys.' })
  }
  if (body.keys.length > MAX_KEYS_PER_SET) {
    throw InvalidRequest.with({ hint: `A set holds at most ${MAX_KEYS_PER_SET} keys.` })
  }
  const keys: JWK[] = []
  const kids = new Set<string>()
  for (const [i, input] of (body.keys as unknown[]).entries()) {
    const jwk = await validateJwk(input, `keys[${i}]`)
    // RFC 7517 §4.5: keys within a set should be told apart by "kid".
    if (kids.has(jwk.kid!)) throw InvalidRequest.with({ hint: `keys[${i}]: the kid "${jwk.kid}" is used twice.` })
    kids.add(jwk.kid!)
    keys.push(jwk)
  }
  return keys
}

/** Hydra's admin JWK API: `/admin/keys/{set}` and `/admin/keys/{set}/{kid}`. */
export const keysRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'admin-keys' })
    .post('/admin/keys/:set', async ({ params, request }) => {
      const set = checkSetName(params.set)
      const jwk = await createKey(ctx, set, request)
      invalidateKeySet(ctx, set)
      return json({ keys: [jwk] }, 201)
    })
    .get('/admin/keys/:set', async ({ params }) => {
      const set = checkSetName(params.set)
      const keys = await readSet(ctx.store, ctx.sealer, set)
      if (keys.length === 0) throw setNotFound(set)
      return json({ keys })
    })
    .put('/admin/keys/:set', async ({ params, request }) => {
      const set = checkSetName(params.set)
      const keys = await parseSet(request)
      await replaceSet(ctx.store, ctx.sealer, set, keys, ctx.clock())
      invalidateKeySet(ctx, set)
      return json({ keys })
    })
    .delete('/admin/keys/:set', async ({ params }) => {
      const set = checkSetName(params.set)
      const deleted = await ctx.store.keys.deleteSet(set)
      invalidateKeySet(ctx, set)
      if (deleted === 0) throw setNotFound(set)
      return noContent()
    })
    .get('/admin/keys/:set/:kid', async ({ params }) => {
      const set = checkSetName(params.set)
      const kid = checkIdentifier(params.kid, 'kid')
      const jwk = await readKey(ctx.store, ctx.sealer, set, kid)
      if (!jwk) throw keyNotFound(set, kid)
      return json({ keys: [jwk] })
    })
    .put('/admin/keys/:set/:kid', async ({ params, request }) => {
      const set = checkSetName(params.set)
      const kid = checkIdentifier(params.kid, 'kid')
      const jwk = await validateJwk(await readJson(request))
      if (jwk.kid !== kid) throw InvalidRequest.with({ hint: `The key's kid "${jwk.kid}" does not match the kid "${kid}" in the path.` })
      await upsertKey(ctx.store, ctx.sealer, set, jwk, ctx.clock())
      invalidateKeySet(ctx, set)
      return json(jwk)
    })
    .delete('/admin/keys/:set/:kid', async ({ params }) => {
      const set = checkSetName(params.set)
      const kid = checkIdentifier(params.kid, 'kid')
      const deleted = await ctx.store.keys.deleteKey(set, kid)
      invalidateKeySet(ctx, set)
      if (!deleted) throw keyNotFound(set, kid)
      return noContent()
    })
