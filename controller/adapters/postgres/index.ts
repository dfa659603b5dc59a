/**
 * The shared durable store: every port of controller/ports/stores.ts on one
 * PostgreSQL schema, which any number of controller nodes open at once.
 * See docs/adr/0005-postgresql-durable-store.md.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Pool } from 'pg';
import { systemClock, type Clock } from '../../ports/clock.js';
import type { Stores } from '../../ports/stores.js';
import { createPgAccessPointStore } from './access-point-store.js';
import { createPgAccountingStore } from './accounting-store.js';
import { createPgApiTokenStore } from './api-token-store.js';
import { createPgAuditStore } from './audit-store.js';
import { checkSchemaName, createDatabase, defaultSchema, type PgDatabase } from './database.js';
import type { PgDeps } from './deps.js';
import { createPgDeviceStore } from './device-store.js';
import { createPgFederationStore } from './federation-store.js';
import { createPgIdentityStore } from './identity-store.js';
import { createPgLegalLogStore } from './legal-log-store.js';
import { migrate } from './migrations.js';
import { createPgRadiusClientStore } from './radius-client-store.js';
import { createPgSessionStore } from './session-store.js';
import { createPgTenantStore } from './tenant-store.js';

export { checkSchemaName, parseSearchPath, type PgDatabase } from './database.js';
export { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations.js';

export type PostgresTarget =
  /** A postgres:// URL: the adapter makes its pool and ends it on close(). */
  | { readonly url: string; readonly schema?: string; readonly poolSize?: number }
  /** The caller's pool: close() leaves it open. */
  | { readonly pool: Pool; readonly schema?: string };

export interface PostgresStoresDeps {
  /** Defaults to crypto.randomUUID. */
  readonly newId?: () => string;
  /** Defaults to the system clock; sets createdAt, updatedAt and the like. */
  readonly clock?: Clock;
}

/**
 * Connects, creates and migrates the schema as needed, and returns the
 * stores. The schema is `schema` when given, else the first of the
 * connection's search_path (database.ts defaultSchema). Throws WFC_NOT_READY
 * when the schema was written by a newer release, and whatever the
 * connection throws when the server cannot be reached.
 */
export async function openPostgresStores(target: PostgresTarget, deps: PostgresStoresDeps = {}): Promise<Stores> {
  const { db, close } = await openPostgresDatabase(target);
  const full: PgDeps = { newId: deps.newId ?? (() => randomUUID()), clock: deps.clock ?? systemClock };
  return {
    backend: 'postgres',
    federation: createPgFederationStore(db),
    tenants: createPgTenantStore(db, full),
    clients: createPgRadiusClientStore(db, full),
    identities: createPgIdentityStore(db, full),
    devices: createPgDeviceStore(db, full),
    accessPoints: createPgAccessPointStore(db, full),
    accounting: createPgAccountingStore(db, full),
    sessions: createPgSessionStore(db),
    tokens: createPgApiTokenStore(db, full),
    audit: createPgAuditStore(db, full),
    legal: createPgLegalLogStore(db, full),
    async ping() {
      await db.query('SELECT 1');
    },
    close,
  };
}

/**
 * The pool and schema a target names, the schema migrated: what every
 * PostgreSQL store of a node is opened on (the core stores, provisioning).
 * close() ends the pool when the adapter made it, once, and leaves a
 * caller's pool open.
 */
export async function openPostgresDatabase(target: PostgresTarget): Promise<{ readonly db: PgDatabase; close(): Promise<void> }> {
  const owned = 'url' in target;
  const pool: Pool = owned
    ? new pg.Pool({
        connectionString: target.url,
        max: target.poolSize ?? 10,
        // The URL's application_name, when it has one, wins.
        application_name: 'wfc',
        // Fail a readiness probe rather than hang it when the server is gone.
        connectionTimeoutMillis: 10_000,
      })
    : target.pool;
  // An idle connection the server dropped (restart, failover) is discarded by
  // the pool; the next query opens a new one and /readyz reports in between.
  // Without a listener the 'error' event would end the process.
  if (owned) pool.on('error', () => {});
  let schema: string;
  try {
    schema = target.schema !== undefined ? checkSchemaName(target.schema) : checkSchemaName(await defaultSchema(pool));
    await migrate(pool, schema);
  } catch (e) {
    if (owned) await pool.end();
    throw e;
  }
  let closed: Promise<void> | null = null;
  return {
    db: createDatabase(pool, schema),
    close() {
      closed ??= owned ? pool.end() : Promise.resolve();
      return closed;
    },
  };
}
