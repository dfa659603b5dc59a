import { describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../../controller/adapters/sqlite/index.js';
import { MemoryLiveSessionStore } from '../../../controller/adapters/memory/live-sessions.js';
import { createLogger } from '../../../controller/log.js';
import { createMetrics } from '../../../controller/metrics.js';
import type { AccountingRecord } from '../../../controller/domain/entities.js';
import { createGroupCommit } from '../../../radius-server/process/group-commit.js';
import { createReaper, REAPED_CAUSE } from '../../../radius-server/reaper.js';
import type { Directory } from '../../../radius-server/directory.js';

describe('session reaper', () => {
  it('closes a session whose interim updates stopped for twice the interval plus grace, with its last counters', async () => {
    let now = Date.parse('2026-11-21T10:00:00Z');
    const clock = { now: () => new Date(now) };
    const stores = openSqliteStores({ memory: true }, { clock });
    const tenant = await stores.tenants.create({ slug: 'valence', name: 'Valence', inseeCode: '26362', branding: { displayName: 'Valence', primaryColor: '#000000', logoUrl: null }, policy: { sessionTimeout: 3600, idleTimeout: 600, dailyTimeQuota: null, dailyDataQuota: null, bandwidthUp: null, bandwidthDown: null, simultaneousUse: 2, interimInterval: 300, unregisteredAp: 'accept' }, wifi4eu: null });
    const live = new MemoryLiveSessionStore({ clock });
    const commit = createGroupCommit<AccountingRecord>(async (b) => {
      await stores.accounting.record(b);
    }, 10);
    const directory = { tenant: () => tenant } as unknown as Directory;
    const metrics = createMetrics({ defaultMetrics: false });
    const reaper = createReaper({ live, commit, directory, clock, metrics, log: createLogger({ level: 'silent' }), graceMs: 60_000 });

    const start = (id: string, interval: number) => {
      const rec: AccountingRecord = { tenantId: tenant.id, statusType: 'start', acctSessionId: id, nasIp: '192.0.2.1', nasAddress: '192.0.2.1', nasIdentifier: null, username: 'alice', identityId: null, callingStationId: null, calledStationId: null, apId: null, framedIp: null, sessionTime: 0, inputOctets: 0, outputOctets: 0, terminateCause: null, eventAt: new Date(now), receivedAt: new Date(now), natMappings: [] };
      return Promise.all([
        commit.add(rec),
        live.start({ tenantId: tenant.id, nasIp: '192.0.2.1', acctSessionId: id, identityId: null, username: 'alice', callingStationId: null, apId: null, framedIp: null, startedAt: new Date(now), updatedAt: new Date(now), sessionTime: 0, inputOctets: 0, outputOctets: 0, interimInterval: interval }),
      ]);
    };
    await start('short', 300);
    await start('long', 3600);
    await live.touch({ tenantId: tenant.id, nasIp: '192.0.2.1', acctSessionId: 'short' }, { updatedAt: new Date(now), sessionTime: 120, inputOctets: 10, outputOctets: 20 });

    now += 2 * 300_000 + 30_000; // within grace: nothing yet
    expect(await reaper.tick()).toBe(0);
    now += 60_000; // past 2 × 300 s + 60 s for "short"; "long" (2 × 3600 s) is fine
    expect(await reaper.tick()).toBe(1);
    const s = (await stores.sessions.list({})).find((x) => x.acctSessionId === 'short')!;
    expect(s).toMatchObject({ status: 'stopped', terminateCause: REAPED_CAUSE, sessionTime: 120, inputOctets: 10, outputOctets: 20 });
    expect(await live.get({ tenantId: tenant.id, nasIp: '192.0.2.1', acctSessionId: 'short' })).toBeNull();
    expect(await live.get({ tenantId: tenant.id, nasIp: '192.0.2.1', acctSessionId: 'long' })).not.toBeNull();
    expect(await reaper.tick()).toBe(0);
    await stores.close();
  });
});
