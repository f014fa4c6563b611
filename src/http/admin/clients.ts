import { Elysia } from 'elysia'
import {
  createClient,
  deleteClient,
  deleteRotatedSecrets,
  getClient,
  listClients,
  patchClient,
  replaceClient,
  rotateSecret,
  setLifespans,
} from '../../clients/service.ts'
import type { AppContext } from '../../context.ts'
import { InvalidRequest } from '../../protocol/errors.ts'
import { json, readJson } from '../body.ts'
import { parseParams } from '../../protocol/params.ts'

const DEFAULT_PAGE_SIZE = 250
const MAX_PAGE_SIZE = 1000

const noContent = () => new Response(null, { status: 204 })

/** The client id path segment; Elysia yields null when its percent-encoding is broken. */
function idOf(params: { id: string | null }): string {
  if (typeof params.id !== 'string' || params.id === '') {
    throw InvalidRequest.with({ hint: 'The client id in the path is not valid percent-encoded UTF-8.' })
  }
  return params.id
}

export function parsePageSize(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PAGE_SIZE
  const n = /^\d{1,7}$/.test(value) ? Number(value) : NaN
  if (!(n >= 1 && n <= MAX_PAGE_SIZE)) {
    throw InvalidRequest.with({ hint: `page_size must be an integer between 1 and ${MAX_PAGE_SIZE}.` })
  }
  return n
}

/** Hydra's keyset pagination links: `<…>; rel="first"` and, when more follow, `<…>; rel="next"`. */
export function linkHeader(path: string, filters: [string, string][], size: number, next?: string): string {
  const link = (rel: string, token?: string) => {
    const q = new URLSearchParams(filters)
    q.set('page_size', String(size))
    if (token) q.set('page_token', token)
    return `<${path}?${q}>; rel="${rel}"`
  }
  return next ? `${link('first')},${link('next', next)}` : link('first')
}

/** Hydra's OAuth 2.0 client admin API under `/admin/clients`. */
export const clientsRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'admin-clients' })
    .get('/admin/clients', async ({ request }) => {
      const query = parseParams(new URL(request.url).searchParams)
      const pageSize = parsePageSize(query.get('page_size'))
      const filters: [string, string][] = []
      for (const name of ['client_name', 'owner']) {
        const v = query.get(name)
        if (v !== undefined && v !== '') filters.push([name, v])
      }
      const filter = Object.fromEntries(filters)
      const { clients, next } = await listClients(ctx, {
        pageSize,
        ...(query.has('page_token') && { pageToken: query.get('page_token')! }),
        ...(filter.client_name !== undefined && { clientName: filter.client_name }),
        ...(filter.owner !== undefined && { owner: filter.owner }),
      })
      return json(clients, 200, { link: linkHeader('/admin/clients', filters, pageSize, next) })
    })
    .post('/admin/clients', async ({ request }) => json(await createClient(ctx, await readJson(request)), 201))
    .get('/admin/clients/:id', async ({ params }) => json(await getClient(ctx, idOf(params))))
    .put('/admin/clients/:id', async ({ params, request }) =>
      json(await replaceClient(ctx, idOf(params), await readJson(request))),
    )
    .patch('/admin/clients/:id', async ({ params, request }) =>
      json(await patchClient(ctx, idOf(params), await readJson<unknown[]>(request, { array: true }))),
    )
    .delete('/admin/clients/:id', async ({ params }) => {
      await deleteClient(ctx, idOf(params))
      return noContent()
    })
    .put('/admin/clients/:id/lifespans', async ({ params, request }) =>
      json(await setLifespans(ctx, idOf(params), await readJson(request))),
    )
    .post('/admin/clients/:id/secrets/rotate', async ({ params }) => json(await rotateSecret(ctx, idOf(params))))
    .delete('/admin/clients/:id/secrets/rotate', async ({ params }) => {
      await deleteRotatedSecrets(ctx, idOf(params))
      return noContent()
    })
