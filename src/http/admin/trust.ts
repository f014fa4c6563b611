import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { createTrust, deleteTrust, getTrust, listTrusts } from '../../oauth2/trust/service.ts'
import { parseParams } from '../../protocol/params.ts'
import { json, readJson } from '../body.ts'
import { linkHeader, parsePageSize } from './clients.ts'

const PATH = '/admin/trust/grants/jwt-bearer/issuers'

/** Hydra's trust API of the jwt-bearer grant (RFC 7523 §2.1) under `/admin/trust/grants/jwt-bearer/issuers`. */
export const trustRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'admin-trust' })
    .get(PATH, async ({ request }) => {
      const query = parseParams(new URL(request.url).searchParams)
      const pageSize = parsePageSize(query.get('page_size'))
      const issuer = query.get('issuer') || undefined
      const filters: [string, string][] = issuer === undefined ? [] : [['issuer', issuer]]
      const { trusts, next } = await listTrusts(ctx, {
        pageSize,
        ...(query.has('page_token') && { pageToken: query.get('page_token')! }),
        ...(issuer !== undefined && { issuer }),
      })
      return json(trusts, 200, { link: linkHeader(PATH, filters, pageSize, next) })
    })
    .post(PATH, async ({ request }) => {
      const trust = await createTrust(ctx, await readJson(request))
      return json(trust, 201, { location: `${PATH}/${trust.id}` })
    })
    .get(`${PATH}/:id`, async ({ params }) => json(await getTrust(ctx, params.id)))
    .delete(`${PATH}/:id`, async ({ params }) => {
      await deleteTrust(ctx, params.id)
      return new Response(null, { status: 204 })
    })
