import { describe, expect, it } from 'vitest';
import type { AccountingRecord } from '../../controller/domain/entities.js';
import type { SessionQuery } from '../../controller/ports/stores.js';
import { acct, at, HOUR, MINUTE, newTenant, useStores, type MakeStores } from './harness.js';

/**
 * Ordering: list() and closeStale() newest first (startedAt descending).
 * A missing limit means no limit. usageSince counts in full every session
 * stopped at or after the date, or still active. Closing a stale session
 * sets status, stoppedAt and terminateCause; updatedAt stays the last report. Sessions are written through the
 * accounting store, as in production.
 */
export function describeSessionStore(name: string, make: MakeStores): void {
  describe(`SessionStore contract: ${name}`, () => {
    const ctx = useStores(make);
    const tenant = async (slug: string) => (await ctx.stores.tenants.create(newTenant(slug))).id;
    const record = (...recs: AccountingRecord[]) => ctx.stores.accounting.record(recs);
    const start = (tenantId: string, acctSessionId: string, minutes: number, identityId: string | null = 'id-alice') =>
      acct({ tenantId, statusType: 'start', acctSessionId, identityId, eventAt: at(minutes * MINUTE) });
    const stop = (tenantId: string, acctSessionId: string, minutes: number, sessionTime: number, bytes = 0) =>
      acct({
        tenantId,
        statusType: 'stop',
        acctSessionId,
        eventAt: at(minutes * MINUTE),
        sessionTime,
        inputOctets: bytes,
        outputOctets: bytes,
        terminateCause: 'User-Request',
      });
    const ids = (list: { acctSessionId: string }[]) => list.map((s) => s.acctSessionId);

    it('gets a session with its tenant only', async () => {
      const a = await tenant('rennes');
      const b = await tenant('brest');
      await record(start(a, 's1', 0));
      const [s] = await ctx.stores.sessions.list({ tenantId: a });
      expect(await ctx.stores.sessions.get(a, s!.id)).toEqual(s);
      expect(await ctx.stores.sessions.get(b, s!.id)).toBeNull();
      expect(await ctx.stores.sessions.get(a, 'no-such-session')).toBeNull();
    });

    it('lists newest first, filtered by tenant, identity and activity, with a limit', async () => {
      const a = await tenant('rennes');
      const b = await tenant('brest');
      await record(
        start(a, 'a-old', 0),
        start(a, 'a-mid', 10, 'id-bob'),
        start(a, 'a-new', 20),
        start(b, 'b-1', 15),
        stop(a, 'a-old', 30, 1800),
        start(a, 'a-anon', 5, null),
      );
      const list = (q: SessionQuery) => ctx.stores.sessions.list(q);
      expect(ids(await list({}))).toEqual(['a-new', 'b-1', 'a-mid', 'a-anon', 'a-old']);
      expect(ids(await list({ tenantId: a }))).toEqual(['a-new', 'a-mid', 'a-anon', 'a-old']);
      expect(ids(await list({ tenantId: b }))).toEqual(['b-1']);
      expect(ids(await list({ identityId: 'id-alice' }))).toEqual(['a-new', 'b-1', 'a-old']);
      expect(ids(await list({ tenantId: a, identityId: 'id-alice' }))).toEqual(['a-new', 'a-old']);
      expect(ids(await list({ tenantId: a, activeOnly: true }))).toEqual(['a-new', 'a-mid', 'a-anon']);
      expect(ids(await list({ identityId: 'id-alice', activeOnly: true }))).toEqual(['a-new', 'b-1']);
      expect(ids(await list({ tenantId: a, activeOnly: true, identityId: 'id-alice' }))).toEqual(['a-new']);
      expect(ids(await list({ activeOnly: true, limit: 2 }))).toEqual(['a-new', 'b-1']);
      expect(ids(await list({ tenantId: a, limit: 1 }))).toEqual(['a-new']);
      expect(await list({ tenantId: 'no-such-tenant' })).toEqual([]);
    });

    it('counts the active sessions of an identity', async () => {
      const a = await tenant('rennes');
      const b = await tenant('brest');
      expect(await ctx.stores.sessions.countActive('id-alice')).toBe(0);
      await record(start(a, 's1', 0), start(b, 's2', 1), start(a, 's3', 2), stop(a, 's3', 3, 60), start(a, 's4', 4, 'id-bob'));
      expect(await ctx.stores.sessions.countActive('id-alice')).toBe(2);
      expect(await ctx.stores.sessions.countActive('id-bob')).toBe(1);
    });

    it('sums the usage of sessions stopped since the date, and of active ones', async () => {
      const a = await tenant('rennes');
      const since = at(10 * HOUR);
      await record(
        // Stopped before `since`: not counted.
        start(a, 'yesterday', 0),
        stop(a, 'yesterday', 60, 3600, 1000),
        // Started before, stopped after: counted in full (the documented approximation).
        start(a, 'overlap', 9 * 60),
        stop(a, 'overlap', 11 * 60, 7200, 20),
        // Started after, stopped.
        start(a, 'today', 12 * 60),
        stop(a, 'today', 12 * 60 + 30, 1800, 300),
        // Active, with an interim.
        start(a, 'now', 13 * 60),
        acct({ tenantId: a, statusType: 'interim', acctSessionId: 'now', eventAt: at(13 * HOUR + 10 * MINUTE), sessionTime: 600, inputOctets: 4000, outputOctets: 1000 }),
        // Someone else's.
        start(a, 'bob', 12 * 60, 'id-bob'),
        stop(a, 'bob', 13 * 60, 3600, 99),
      );
      expect(await ctx.stores.sessions.usageSince('id-alice', since)).toEqual({
        seconds: 7200 + 1800 + 600,
        bytes: 2 * 20 + 2 * 300 + 5000,
      });
      expect(await ctx.stores.sessions.usageSince('id-carol', since)).toEqual({ seconds: 0, bytes: 0 });
      // A session stopped exactly at `since` overlaps it.
      expect(await ctx.stores.sessions.usageSince('id-alice', at(11 * HOUR))).toEqual({ seconds: 7200 + 1800 + 600, bytes: 40 + 600 + 5000 });
    });

    it('closes active sessions not updated since the cut-off, and returns them newest first', async () => {
      const a = await tenant('rennes');
      const b = await tenant('brest');
      await record(
        start(a, 'stale-1', 0),
        start(b, 'stale-2', 5),
        start(a, 'fresh', 0),
        acct({ tenantId: a, statusType: 'interim', acctSessionId: 'fresh', eventAt: at(50 * MINUTE), sessionTime: 3000 }),
        start(a, 'edge', 30),
        start(a, 'done', 0),
        stop(a, 'done', 10, 600),
      );
      const before = new Map((await ctx.stores.sessions.list({})).map((s) => [s.acctSessionId, s]));
      const reapedAt = at(HOUR);
      const closed = await ctx.stores.sessions.closeStale(at(30 * MINUTE), reapedAt, 'Lost-Service');
      expect(ids(closed)).toEqual(['stale-2', 'stale-1']);
      expect(closed[1]).toEqual({ ...before.get('stale-1')!, status: 'stopped', stoppedAt: reapedAt, terminateCause: 'Lost-Service' });
      const after = new Map((await ctx.stores.sessions.list({})).map((s) => [s.acctSessionId, s]));
      expect(after.get('stale-1')).toEqual(closed[1]);
      expect(after.get('stale-2')).toEqual(closed[0]);
      // updatedAt equal to the cut-off is not older than it.
      expect(after.get('edge')).toEqual(before.get('edge'));
      expect(after.get('fresh')).toEqual(before.get('fresh'));
      expect(after.get('done')).toEqual(before.get('done'));
      expect(await ctx.stores.sessions.closeStale(at(30 * MINUTE), reapedAt, 'Lost-Service')).toEqual([]);
    });
  });
}
