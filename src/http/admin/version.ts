import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { json } from '../body.ts'

export const versionRoutes = (ctx: AppContext) =>
  new Elysia({ name: 'admin-version' }).get('/admin/version', () => json({ version: ctx.version }))
