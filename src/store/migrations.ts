import pg0001 from '../../migrations/postgres/0001_init.sql' with { type: 'text' }
import pg0002 from '../../migrations/postgres/0002_partial_flow_indexes.sql' with { type: 'text' }
import pg0003 from '../../migrations/postgres/0003_remembered_flows_index.sql' with { type: 'text' }
import pg0004 from '../../migrations/postgres/0004_device_codes.sql' with { type: 'text' }
import pg0005 from '../../migrations/postgres/0005_trusted_jwt_issuers.sql' with { type: 'text' }
import pg0006 from '../../migrations/postgres/0006_registration_access_token.sql' with { type: 'text' }
import sqlite0001 from '../../migrations/sqlite/0001_init.sql' with { type: 'text' }
import sqlite0002 from '../../migrations/sqlite/0002_partial_flow_indexes.sql' with { type: 'text' }
import sqlite0003 from '../../migrations/sqlite/0003_remembered_flows_index.sql' with { type: 'text' }
import sqlite0004 from '../../migrations/sqlite/0004_device_codes.sql' with { type: 'text' }
import sqlite0005 from '../../migrations/sqlite/0005_trusted_jwt_issuers.sql' with { type: 'text' }
import sqlite0006 from '../../migrations/sqlite/0006_registration_access_token.sql' with { type: 'text' }
import type { Dialect } from './types.ts'

export interface Migration {
  version: string
  name: string
  sql: string
}

/** Every migration, per dialect, in order. Imported as text so `bun build --compile` embeds them. */
export const MIGRATIONS: Record<Dialect, Migration[]> = {
  sqlite: [
    { version: '0001', name: 'init', sql: sqlite0001 },
    { version: '0002', name: 'partial_flow_indexes', sql: sqlite0002 },
    { version: '0003', name: 'remembered_flows_index', sql: sqlite0003 },
    { version: '0004', name: 'device_codes', sql: sqlite0004 },
    { version: '0005', name: 'trusted_jwt_issuers', sql: sqlite0005 },
    { version: '0006', name: 'registration_access_token', sql: sqlite0006 },
  ],
  postgres: [
    { version: '0001', name: 'init', sql: pg0001 },
    { version: '0002', name: 'partial_flow_indexes', sql: pg0002 },
    { version: '0003', name: 'remembered_flows_index', sql: pg0003 },
    { version: '0004', name: 'device_codes', sql: pg0004 },
    { version: '0005', name: 'trusted_jwt_issuers', sql: pg0005 },
    { version: '0006', name: 'registration_access_token', sql: pg0006 },
  ],
}
