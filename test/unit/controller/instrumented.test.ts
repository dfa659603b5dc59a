import { describe, expect, it } from 'vitest';
import { instrumentStores } from '../../../controller/adapters/instrumented.js';
import { openSqliteStores } from '../../../controller/adapters/sqlite/index.js';
import { AppError } from '../../../controller/errors.js';
import { createMetrics } from '../../../controller/metrics.js';

describe('instrumented stores', () => {
  it('times every call by backend, store and operation, and counts only uncatalogued failures', async () => {
    const metrics = createMetrics();
    const stores = instrumentStores(openSqliteStores({ memory: true }), metrics);
    try {
      await stores.tenants.list();
      await stores.identities.getByUsername('nobody');
      await expect(stores.identities.update('missing', { locale: 'en' })).rejects.toBeInstanceOf(AppError);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/wfc_store_query_duration_seconds_count\{backend="sqlite",store="tenants",operation="list"\} 1/);
      expect(text).toMatch(/wfc_store_query_duration_seconds_count\{backend="sqlite",store="identities",operation="getByUsername"\} 1/);
      expect(text).toMatch(/wfc_store_query_duration_seconds_count\{backend="sqlite",store="identities",operation="update"\} 1/);
      // IDENTITY_NOT_FOUND is an answer, not a store failure.
      expect(text).not.toMatch(/wfc_store_query_errors_total\{/);
      expect(stores.backend).toBe('sqlite');
      await stores.ping();
    } finally {
      await stores.close();
    }
  });
});
