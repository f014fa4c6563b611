import { configRows } from '../config/rows.ts'
import { renderTable } from './output.ts'

export function configHelp(): string {
  const rows = configRows().map((r) => [r.key, r.env, r.type, r.default, r.description])
  return (
    'Configuration keys. Load order: defaults, then the file given with -c (YAML or JSON), then\n' +
    'environment variables; lists are comma-separated in the environment.\n\n' +
    renderTable(['KEY', 'ENV', 'TYPE', 'DEFAULT', 'DESCRIPTION'], rows)
  )
}
