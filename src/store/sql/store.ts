import type { Store } from '../types.ts'
import type { SqlDriver } from './driver.ts'
import { SqlClientStore } from './clients.ts'
import { SqlDeviceStore } from './devices.ts'
import { SqlFlowStore } from './flows.ts'
import { SqlJtiStore } from './jti.ts'
import { SqlKeyStore } from './keys.ts'
import { SqlTokenStore } from './tokens.ts'
import { SqlTrustStore } from './trust.ts'

/** The Store on any SqlDriver; SQLite and PostgreSQL differ only in their driver. */
export class SqlStore implements Store {
  readonly clients: SqlClientStore
  readonly keys: SqlKeyStore
  readonly tokens: SqlTokenStore
  readonly flows: SqlFlowStore
  readonly jti: SqlJtiStore
  readonly trust: SqlTrustStore
  readonly devices: SqlDeviceStore

  readonly driver: SqlDriver

  /** `groupCommit`: token writes of concurrent requests share commits (off for a store bound to a transaction). */
  constructor(driver: SqlDriver, options: { groupCommit?: boolean } = {}) {
    this.driver = driver
    this.clients = new SqlClientStore(driver)
    this.keys = new SqlKeyStore(driver)
    this.tokens = new SqlTokenStore(driver, options.groupCommit ?? true)
    this.flows = new SqlFlowStore(driver)
    this.jti = new SqlJtiStore(driver)
    this.trust = new SqlTrustStore(driver)
    this.devices = new SqlDeviceStore(driver)
  }

  get dialect() {
    return this.driver.dialect
  }

  tx<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    return this.driver.tx((d) => fn(d === this.driver ? this : new SqlStore(d, { groupCommit: false })))
  }

  async ping() {
    await this.driver.all('SELECT 1 AS ok')
  }

  /** Commits the token batches still waiting, then closes the connections. */
  async close() {
    await this.tokens.drain()
    await this.driver.close()
  }
}
