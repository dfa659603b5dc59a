/**
 * The embedded durable store: every port of controller/ports/stores.ts on
 * one SQLite file (or in memory, for tests and demos).
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../ports/clock.js';
import type { Stores } from '../../ports/stores.js';
import { createSqliteAccessPointStore } from './access-point-store.js';
import { createSqliteAccountingStore } from './accounting-store.js';
import { createSqliteApiTokenStore } from './api-token-store.js';
import { createSqliteAuditStore } from './audit-store.js';
import { openDatabase, type SqliteTarget } from './database.js';
import type { SqliteDeps } from './deps.js';
import { createSqliteDeviceStore } from './device-store.js';
import { createSqliteFederationStore } from './federation-store.js';
import { createSqliteIdentityStore } from './identity-store.js';
import { createSqliteLegalLogStore } from './legal-log-store.js';
import { createSqliteRadiusClientStore } from './radius-client-store.js';
import { createSqliteSessionStore } from './session-store.js';
import { createSqliteTenantStore } from './tenant-store.js';

export { openDatabase, type SqliteDatabase, type SqliteTarget } from './database.js';
export { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations.js';

export interface SqliteStoresDeps {
  /** Defaults to crypto.randomUUID. */
  readonly newId?: () => string;
  /** Defaults to the system clock; sets createdAt, updatedAt and the like. */
  readonly clock?: Clock;
}

/**
 * Opens (creating and migrating as needed) the database and returns its
 * stores. Throws WFC_NOT_READY when the file was written by a newer release.
 */
export function openSqliteStores(opts: SqliteTarget, deps: SqliteStoresDeps = {}): Stores {
  const db = openDatabase(opts);
  const full: SqliteDeps = { newId: deps.newId ?? (() => randomUUID()), clock: deps.clock ?? systemClock };
  const ping = db.prepare('SELECT 1');
  return {
    backend: 'sqlite',
    federation: createSqliteFederationStore(db),
    tenants: createSqliteTenantStore(db, full),
    clients: createSqliteRadiusClientStore(db, full),
    identities: createSqliteIdentityStore(db, full),
    devices: createSqliteDeviceStore(db, full),
    accessPoints: createSqliteAccessPointStore(db, full),
    accounting: createSqliteAccountingStore(db, full),
    sessions: createSqliteSessionStore(db),
    tokens: createSqliteApiTokenStore(db, full),
    audit: createSqliteAuditStore(db, full),
    legal: createSqliteLegalLogStore(db, full),
    async ping() {
      ping.get();
    },
    async close() {
      if (!db.open) return;
      try {
        // SQLite's advice for connections about to close: refresh planner statistics if due.
        db.pragma('optimize');
      } finally {
        db.close();
      }
    },
  };
}
