import { UsageError, type FlagSpec } from './args.ts'
import type { CliIo } from './io.ts'

export type Format = 'table' | 'json' | 'json-pretty'

export const FORMAT_FLAG: FlagSpec = {
  type: 'string',
  value: '<format>',
  description: 'Output format: table (default), json or json-pretty.',
}

export function formatOf(value: string | undefined): Format {
  if (value === undefined || value === 'table' || value === 'json' || value === 'json-pretty') return value ?? 'table'
  throw new UsageError(`--format must be table, json or json-pretty, got "${value}"`)
}

/** Rows with their columns aligned, two spaces apart. */
export function renderRows(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return rows.map(line).join('\n') + '\n'
}

export const renderTable = (headers: readonly string[], rows: readonly (readonly string[])[]) =>
  renderRows([headers, ...rows])

/** One record as `KEY  value` lines. */
export function renderRecord(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length))
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`.trimEnd()).join('\n') + '\n'
}

/** Prints `data` as JSON, or the table `render` makes of it. */
export function print(io: CliIo, format: Format, data: unknown, render: () => string) {
  if (format === 'json') io.out(`${JSON.stringify(data)}\n`)
  else if (format === 'json-pretty') io.out(`${JSON.stringify(data, null, 2)}\n`)
  else io.out(render())
}

export const joinList = (v: unknown) => (Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : '')
export const text = (v: unknown) => (v === undefined || v === null ? '' : String(v))

/** A token response as the perform commands print it. */
export function printTokens(io: CliIo, format: Format, body: unknown): void {
  const t = (body ?? {}) as Record<string, unknown>
  const expiry = typeof t.expires_in === 'number' ? new Date(Date.now() + t.expires_in * 1000).toISOString() : ''
  print(io, format, body, () =>
    renderRecord([
      ['ACCESS TOKEN', text(t.access_token)],
      ['REFRESH TOKEN', text(t.refresh_token)],
      ['ID TOKEN', text(t.id_token)],
      ['SCOPE', text(t.scope)],
      ['EXPIRY', expiry],
    ]),
  )
}
