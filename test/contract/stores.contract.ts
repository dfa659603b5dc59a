/**
 * Every port's contract suite, for one backend. An adapter passes them all
 * or it is not a backend: test/contract/sqlite.test.ts runs them for SQLite,
 * a PostgreSQL runner will call describeStoresContract the same way.
 */
import { describe, expect, it } from 'vitest';
import { describeAccessPointStore } from './access-point-store.contract.js';
import { describeAccountingStore } from './accounting-store.contract.js';
import { describeApiTokenStore } from './api-token-store.contract.js';
import { describeAuditStore } from './audit-store.contract.js';
import { describeDeviceStore } from './device-store.contract.js';
import { describeFederationStore } from './federation-store.contract.js';
import { useStores, type MakeStores } from './harness.js';
import { describeIdentityStore } from './identity-store.contract.js';
import { describeLegalLogStore } from './legal-log-store.contract.js';
import { describeRadiusClientStore } from './radius-client-store.contract.js';
import { describeSessionStore } from './session-store.contract.js';
import { describeTenantStore } from './tenant-store.contract.js';

export function describeStoresLifecycle(name: string, make: MakeStores): void {
  describe(`Stores lifecycle contract: ${name}`, () => {
    const ctx = useStores(make);

    it('names its backend and answers ping', async () => {
      expect(['sqlite', 'postgres']).toContain(ctx.stores.backend);
      await ctx.stores.ping();
    });

    it('closes, and may be closed twice', async () => {
      await ctx.stores.close();
      await ctx.stores.close();
    });
  });
}

export function describeStoresContract(name: string, make: MakeStores): void {
  describeStoresLifecycle(name, make);
  describeFederationStore(name, make);
  describeTenantStore(name, make);
  describeRadiusClientStore(name, make);
  describeIdentityStore(name, make);
  describeDeviceStore(name, make);
  describeAccessPointStore(name, make);
  describeAccountingStore(name, make);
  describeSessionStore(name, make);
  describeApiTokenStore(name, make);
  describeAuditStore(name, make);
  describeLegalLogStore(name, make);
}
