import { describe, expect, it } from 'vitest';
import type { NatMappingReport } from '../../controller/domain/entities.js';
import { E } from '../../controller/errors.js';
import type { LegalSearch, NewNatMapping, PurgeBatchResult } from '../../controller/ports/legal-log.js';
import type { Stores } from '../../controller/ports/stores.js';
import { acct, at, DAY, expectAppError, expectRejects, HOUR, MINUTE, newIdentity, newTenant, T0, useStores, type ManualClock, type MakeStores } from './harness.js';

export const YEAR = 365 * DAY;

const block = (publicIp: string, portStart: number, portEnd: number, internalIp: string | null = null): NatMappingReport => ({ publicIp, portStart, portEnd, internalIp });

const imported = (internalIp: string, publicIp: string, portStart: number, startedAt: Date, endedAt: Date | null = null): NewNatMapping => ({
  internalIp,
  publicIp,
  portStart,
  portEnd: portStart + 1023,
  startedAt,
  endedAt,
  source: 'import',
});

async function sessionId(stores: Stores, tenantId: string, acctSessionId: string): Promise<string> {
  const s = (await stores.sessions.list({ tenantId })).find((x) => x.acctSessionId === acctSessionId);
  if (!s) throw new Error(`test fixture: no session ${acctSessionId}`);
  return s.id;
}

/** Runs purge batches until one finds nothing; returns each batch's result. */
export async function purgeAll(stores: Stores, cutoff: Date, limit: number): Promise<PurgeBatchResult[]> {
  const runs: PurgeBatchResult[] = [];
  for (let i = 0; i < 100; i++) {
    const r = await stores.legal.purgeBatch(cutoff, limit);
    runs.push(r);
    if (r.sessions + r.accountingRecords + r.natMappings + r.identityArchives === 0) return runs;
  }
  throw new Error('purge did not finish in 100 batches');
}

export const total = (runs: readonly PurgeBatchResult[]): PurgeBatchResult =>
  runs.reduce(
    (a, r) => ({
      sessions: a.sessions + r.sessions,
      accountingRecords: a.accountingRecords + r.accountingRecords,
      natMappings: a.natMappings + r.natMappings,
      identityArchives: a.identityArchives + r.identityArchives,
    }),
    { sessions: 0, accountingRecords: 0, natMappings: 0, identityArchives: 0 },
  );

export interface PurgeSeed {
  readonly tenantId: string;
  /** A year and a day after T0: everything of the first day has expired. */
  readonly cutoff: Date;
  readonly heldSession: string;
  readonly holdId: string;
  readonly carol: string;
  readonly dave: string;
  /** What the purge must remove with the hold in place. */
  readonly expected: PurgeBatchResult;
}

/**
 * A year of log on one municipality, the clock moved past it:
 *  - 5 sessions ended on the first day, no active hold (one named by a released hold), each with Start and Stop records and one NAT block;
 *  - one ended on the first day but held (its citizen, dave, since erased);
 *  - one still active since the first day, one ended after the cutoff;
 *  - an Accounting-On of the first day and one after the cutoff;
 *  - a NAT block matched to no session on the first day, one after the cutoff;
 *  - carol, erased on the first day, whose only session expires.
 */
export async function seedPurge(stores: Stores, clock: ManualClock): Promise<PurgeSeed> {
  const t = (await stores.tenants.create(newTenant('rennes'))).id;
  const carol = (await stores.identities.create(newIdentity('carol'))).id;
  const dave = (await stores.identities.create(newIdentity('dave'))).id;
  const expiring = ['old-1', 'old-2', 'old-3', 'old-4', 'released'];
  for (const [i, id] of [...expiring, 'held'].entries()) {
    const identityId = id === 'old-2' ? carol : id === 'held' ? dave : null;
    await stores.accounting.record([
      acct({ tenantId: t, statusType: 'start', acctSessionId: id, identityId, framedIp: `10.0.0.${i + 2}`, natMappings: [block('198.51.100.7', 1024 * (i + 1), 1024 * (i + 1) + 1023)] }),
      acct({ tenantId: t, statusType: 'stop', acctSessionId: id, eventAt: at((i + 1) * MINUTE), sessionTime: 60 * (i + 1), terminateCause: 'User-Request' }),
    ]);
  }
  await stores.accounting.record([
    acct({ tenantId: t, statusType: 'start', acctSessionId: 'active' }),
    acct({ tenantId: t, statusType: 'accounting-on', acctSessionId: '', nasIp: '192.0.2.99', eventAt: at(MINUTE) }),
    acct({ tenantId: t, statusType: 'start', acctSessionId: 'recent', eventAt: at(2 * DAY) }),
    acct({ tenantId: t, statusType: 'stop', acctSessionId: 'recent', eventAt: at(2 * DAY + HOUR), sessionTime: 3600 }),
    acct({ tenantId: t, statusType: 'accounting-on', acctSessionId: '', nasIp: '192.0.2.99', eventAt: at(3 * DAY) }),
  ]);
  await stores.legal.importNatMappings(t, [
    imported('10.9.9.9', '203.0.113.1', 1024, at(5 * MINUTE), at(6 * MINUTE)),
    imported('10.9.9.9', '203.0.113.1', 1024, at(3 * DAY)),
  ]);
  const released = await stores.legal.createHold({
    tenantId: t,
    reference: 'PV 2025/001',
    reason: 'requisition',
    createdBy: 'admin',
    sessionIds: [await sessionId(stores, t, 'released')],
  });
  await stores.legal.releaseHold(t, released.id, 'admin', at(HOUR));
  const hold = await stores.legal.createHold({
    tenantId: null,
    reference: 'PV 2025/002',
    reason: 'requisition',
    createdBy: 'admin',
    sessionIds: [await sessionId(stores, t, 'held')],
  });
  await stores.identities.erase(carol, at(HOUR), 'citizen');
  await stores.identities.erase(dave, at(HOUR), 'inactivity');
  const now = clock.advance(YEAR + DAY);
  return {
    tenantId: t,
    cutoff: new Date(now.getTime() - YEAR),
    heldSession: await sessionId(stores, t, 'held'),
    holdId: hold.id,
    carol,
    dave,
    // 5 sessions × (Start, Stop) and the old Accounting-On; 5 sessions' blocks and the old unmatched one; carol.
    expected: { sessions: 5, accountingRecords: 11, natMappings: 6, identityArchives: 1 },
  };
}

/** What the seeded log must hold after the purge, with the hold in place. */
export async function expectPurged(stores: Stores, seed: PurgeSeed): Promise<void> {
  const left = (await stores.sessions.list({ tenantId: seed.tenantId })).map((s) => s.acctSessionId).sort();
  expect(left).toEqual(['active', 'held', 'recent']);
  // held: Start, Stop; active: Start; recent: Start, Stop; the recent Accounting-On.
  expect(await stores.accounting.count()).toBe(6);
  expect(await stores.legal.natMappingsOf(seed.tenantId, seed.heldSession)).toHaveLength(1);
  expect(await stores.legal.archivedIdentity(seed.carol)).toBeNull();
  expect(await stores.legal.archivedIdentity(seed.dave)).toMatchObject({ username: 'dave', reason: 'inactivity' });
  expect(await stores.legal.heldSessionCount()).toBe(1);
}

/**
 * The legal connection log (CPCE L34-1, décret 2021-1362): NAT blocks
 * imported or reported by accounting, the search an authority's request
 * gets, legal holds, the one-year purge.
 */
export function describeLegalLogStore(name: string, make: MakeStores): void {
  describe(`LegalLogStore contract: ${name}`, () => {
    const ctx = useStores(make);
    const tenant = async (slug = 'rennes') => (await ctx.stores.tenants.create(newTenant(slug))).id;
    const sid = (tenantId: string, acctSessionId: string) => sessionId(ctx.stores, tenantId, acctSessionId);

    describe('NAT log import', () => {
      it('matches each block to the session that had the private address when it started (the latest of several), and keeps the unmatched', async () => {
        const a = await tenant('rennes');
        const b = await tenant('brest');
        await ctx.stores.accounting.record([
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'first', framedIp: '10.0.0.2' }),
          acct({ tenantId: a, statusType: 'stop', acctSessionId: 'first', eventAt: at(HOUR), sessionTime: 3600 }),
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'second', framedIp: '10.0.0.2', eventAt: at(2 * HOUR) }),
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'older', framedIp: '10.0.0.3' }),
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'newer', framedIp: '10.0.0.3', nasIp: '192.0.2.11', eventAt: at(5 * MINUTE) }),
          acct({ tenantId: b, statusType: 'start', acctSessionId: 'brest', framedIp: '10.0.0.9' }),
        ]);
        const lines = [
          imported('10.0.0.2', '198.51.100.7', 1024, at(30 * MINUTE), at(40 * MINUTE)),
          imported('10.0.0.2', '198.51.100.7', 2048, at(3 * HOUR)),
          imported('10.0.0.2', '198.51.100.7', 3072, at(90 * MINUTE)), // between the two sessions
          imported('10.0.0.9', '198.51.100.7', 4096, at(10 * MINUTE)), // another municipality's address
          imported('10.0.0.3', '198.51.100.7', 5120, at(10 * MINUTE)),
          imported('10.0.0.2', '198.51.100.7', 6144, at(HOUR)), // the instant "first" ended
        ];
        expect(await ctx.stores.legal.importNatMappings(a, lines)).toEqual({ imported: 6, matched: 4, duplicates: 0 });

        const first = await sid(a, 'first');
        expect(await ctx.stores.legal.natMappingsOf(a, first)).toEqual([
          {
            id: expect.any(String),
            tenantId: a,
            sessionId: first,
            internalIp: '10.0.0.2',
            publicIp: '198.51.100.7',
            portStart: 1024,
            portEnd: 2047,
            startedAt: at(30 * MINUTE),
            endedAt: at(40 * MINUTE),
            source: 'import',
          },
          expect.objectContaining({ portStart: 6144, startedAt: at(HOUR), endedAt: null }),
        ]);
        expect((await ctx.stores.legal.natMappingsOf(a, await sid(a, 'second'))).map((m) => m.portStart)).toEqual([2048]);
        expect((await ctx.stores.legal.natMappingsOf(a, await sid(a, 'newer'))).map((m) => m.portStart)).toEqual([5120]);
        expect(await ctx.stores.legal.natMappingsOf(a, await sid(a, 'older'))).toEqual([]);
        expect(await ctx.stores.legal.natMappingsOf(b, await sid(b, 'brest'))).toEqual([]);
        // Another municipality cannot read them.
        expect(await ctx.stores.legal.natMappingsOf(b, first)).toEqual([]);

        // Importing the same log again (and one new line) stores only the new line.
        const again = await ctx.stores.legal.importNatMappings(a, [...lines, imported('10.0.0.2', '198.51.100.7', 1024, at(50 * MINUTE))]);
        expect(again).toEqual({ imported: 1, matched: 1, duplicates: 6 });
        expect(await ctx.stores.legal.natMappingsOf(a, first)).toHaveLength(3);
        // The same block in another municipality is that municipality's own.
        expect(await ctx.stores.legal.importNatMappings(b, [lines[3]!])).toEqual({ imported: 1, matched: 1, duplicates: 0 });
        expect(await ctx.stores.legal.importNatMappings(a, [])).toEqual({ imported: 0, matched: 0, duplicates: 0 });
      });

      it('imports all lines or none', async () => {
        const a = await tenant();
        const good = imported('10.0.0.2', '198.51.100.7', 1024, at(MINUTE));
        await expectRejects(ctx.stores.legal.importNatMappings(a, [good, { ...imported('10.0.0.2', '198.51.100.7', 2048, at(MINUTE)), portEnd: 2000 }]));
        expect(await ctx.stores.legal.importNatMappings(a, [good])).toEqual({ imported: 1, matched: 0, duplicates: 0 });
      });
    });

    describe('NAT blocks reported by accounting (RFC 8045)', () => {
      it('stores them with their session, once, and ends them with the session', async () => {
        const t = await tenant();
        const report = block('198.51.100.7', 1024, 2047);
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', framedIp: '10.0.0.2', natMappings: [report] })]);
        const s = await sid(t, 'sess-1');
        expect(await ctx.stores.legal.natMappingsOf(t, s)).toEqual([
          {
            id: expect.any(String),
            tenantId: t,
            sessionId: s,
            internalIp: '10.0.0.2',
            publicIp: '198.51.100.7',
            portStart: 1024,
            portEnd: 2047,
            startedAt: T0,
            endedAt: null,
            source: 'accounting',
          },
        ]);
        // Interim-Updates repeat the block (once, and twice in one batch); a second block dates from the session's start.
        await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'interim', eventAt: at(10 * MINUTE), natMappings: [report, block('198.51.100.7', 4096, 5119, '100.64.0.2')] }),
          acct({ tenantId: t, statusType: 'interim', eventAt: at(20 * MINUTE), natMappings: [report] }),
        ]);
        const during = await ctx.stores.legal.natMappingsOf(t, s);
        expect(during.map((m) => [m.portStart, m.internalIp, m.startedAt, m.endedAt])).toEqual([
          [1024, '10.0.0.2', T0, null],
          [4096, '100.64.0.2', T0, null],
        ]);
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'stop', eventAt: at(30 * MINUTE), terminateCause: 'User-Request', natMappings: [report] })]);
        expect((await ctx.stores.legal.natMappingsOf(t, s)).map((m) => m.endedAt)).toEqual([at(30 * MINUTE), at(30 * MINUTE)]);
      });

      it('dates a block back to the session start when the Start was lost, and skips what cannot be stored', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record([
          acct({
            tenantId: t,
            statusType: 'interim',
            eventAt: at(10 * MINUTE),
            sessionTime: 600,
            natMappings: [block('198.51.100.7', 1024, 2047), block('198.51.100.7', 3000, 2999), block('198.51.100.7', 60000, 70000)],
          }),
          // No private address known: the block cannot be tied to the session's address.
          acct({ tenantId: t, statusType: 'start', acctSessionId: 'no-ip', framedIp: null, natMappings: [block('198.51.100.8', 1024, 2047)] }),
        ]);
        expect((await ctx.stores.legal.natMappingsOf(t, await sid(t, 'sess-1'))).map((m) => [m.portStart, m.startedAt])).toEqual([[1024, T0]]);
        expect(await ctx.stores.legal.natMappingsOf(t, await sid(t, 'no-ip'))).toEqual([]);
      });

      it('ends the blocks of the sessions an Accounting-On closes', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', natMappings: [block('198.51.100.7', 1024, 2047)] })]);
        await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'start', acctSessionId: 'same-batch', natMappings: [block('198.51.100.7', 2048, 3071)] }),
          acct({ tenantId: t, statusType: 'accounting-on', acctSessionId: '', eventAt: at(HOUR) }),
        ]);
        expect((await ctx.stores.legal.natMappingsOf(t, await sid(t, 'sess-1')))[0]?.endedAt).toEqual(at(HOUR));
        expect((await ctx.stores.legal.natMappingsOf(t, await sid(t, 'same-batch')))[0]?.endedAt).toEqual(at(HOUR));
      });

      it('ends the blocks of the sessions closed as stale', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', natMappings: [block('198.51.100.7', 1024, 2047)] })]);
        await ctx.stores.sessions.closeStale(at(HOUR), at(2 * HOUR), 'Lost-Service');
        expect((await ctx.stores.legal.natMappingsOf(t, await sid(t, 'sess-1')))[0]?.endedAt).toEqual(at(2 * HOUR));
      });
    });

    describe('search', () => {
      /**
       * rennes: a1 (alice, 10.0.0.2, T0 → T0+1h, NAT 198.51.100.7:1024-2047),
       *         a2 (an identity that no longer exists, 10.0.0.3, from T0+30m, still active, last report T0+2h, NAT 198.51.100.7:2048-3071);
       * brest:  b1 (alice, 10.0.0.2, T0+10m → T0+50m, NAT 203.0.113.5:1024-2047).
       */
      const seed = async () => {
        const a = await tenant('rennes');
        const b = await tenant('brest');
        const alice = await ctx.stores.identities.create(newIdentity('alice'));
        await ctx.stores.accounting.record([
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'a1', identityId: alice.id, framedIp: '10.0.0.2', natMappings: [block('198.51.100.7', 1024, 2047)] }),
          acct({ tenantId: a, statusType: 'stop', acctSessionId: 'a1', eventAt: at(HOUR), sessionTime: 3600 }),
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'a2', identityId: 'gone', username: 'bob', framedIp: '10.0.0.3', eventAt: at(30 * MINUTE), natMappings: [block('198.51.100.7', 2048, 3071)] }),
          acct({ tenantId: a, statusType: 'interim', acctSessionId: 'a2', framedIp: '10.0.0.3', eventAt: at(2 * HOUR), sessionTime: 5400 }),
          acct({ tenantId: b, statusType: 'start', acctSessionId: 'b1', identityId: alice.id, framedIp: '10.0.0.2', eventAt: at(10 * MINUTE), natMappings: [block('203.0.113.5', 1024, 2047)] }),
          acct({ tenantId: b, statusType: 'stop', acctSessionId: 'b1', eventAt: at(50 * MINUTE), sessionTime: 2400 }),
        ]);
        return { a, b, alice, a1: await sid(a, 'a1'), a2: await sid(a, 'a2'), b1: await sid(b, 'b1') };
      };
      const q = (over: Partial<LegalSearch>): LegalSearch => ({ tenantId: null, from: at(-DAY), to: at(DAY), limit: 100, ...over });
      const found = async (over: Partial<LegalSearch>) => (await ctx.stores.legal.search(q(over))).map((e) => e.session.acctSessionId);

      it('finds by identity, in start order, with the live account as subscriber and all NAT blocks', async () => {
        const { a, alice, a1 } = await seed();
        const [entry, ...rest] = await ctx.stores.legal.search(q({ tenantId: a, identityId: alice.id }));
        expect(rest).toEqual([]);
        expect(entry!.session).toEqual(await ctx.stores.sessions.get(a, a1));
        expect(entry!.subscriber).toEqual({ username: 'alice', email: 'alice@example.org', erasedAt: null });
        expect(entry!.held).toBe(false);
        expect(entry!.natMappings).toEqual(await ctx.stores.legal.natMappingsOf(a, a1));
        expect(entry!.natMappings).toHaveLength(1);
        expect(await found({ identityId: alice.id })).toEqual(['a1', 'b1']);
        expect(await found({ identityId: alice.id, limit: 1 })).toEqual(['a1']);
        expect(await found({ identityId: 'nobody' })).toEqual([]);
      });

      it('keeps municipalities apart: each sees its own sessions, the federation both', async () => {
        const { a, b, alice } = await seed();
        expect(await found({ tenantId: a, identityId: alice.id })).toEqual(['a1']);
        expect(await found({ tenantId: b, identityId: alice.id })).toEqual(['b1']);
        expect(await found({ tenantId: b, ip: '198.51.100.7' })).toEqual([]);
        expect(await found({ tenantId: 'no-such-tenant', ip: '10.0.0.2' })).toEqual([]);
        expect(await found({ ip: '10.0.0.2' })).toEqual(['a1', 'b1']);
      });

      it('finds by private address (Framed-IP-Address), showing the blocks that address used', async () => {
        const { a } = await seed();
        const entries = await ctx.stores.legal.search(q({ tenantId: a, ip: '10.0.0.2' }));
        expect(entries.map((e) => [e.session.acctSessionId, e.natMappings.map((m) => m.portStart)])).toEqual([['a1', [1024]]]);
        expect(await found({ tenantId: a, ip: '10.0.0.3' })).toEqual(['a2']);
      });

      it('finds by public address and port: the session whose NAT block holds the port', async () => {
        const { a } = await seed();
        const window = { from: at(40 * MINUTE), to: at(45 * MINUTE) };
        const inFirst = await ctx.stores.legal.search(q({ tenantId: a, ip: '198.51.100.7', port: 1500, ...window }));
        expect(inFirst.map((e) => [e.session.acctSessionId, e.natMappings.map((m) => [m.publicIp, m.portStart, m.portEnd])])).toEqual([
          ['a1', [['198.51.100.7', 1024, 2047]]],
        ]);
        expect(await found({ ip: '198.51.100.7', port: 1024, ...window })).toEqual(['a1']);
        expect(await found({ ip: '198.51.100.7', port: 2047, ...window })).toEqual(['a1']);
        expect(await found({ ip: '198.51.100.7', port: 2048, ...window })).toEqual(['a2']);
        expect(await found({ ip: '198.51.100.7', port: 5000, ...window })).toEqual([]);
        const both = await ctx.stores.legal.search(q({ ip: '198.51.100.7', ...window }));
        expect(both.map((e) => [e.session.acctSessionId, e.natMappings.map((m) => m.portStart)])).toEqual([
          ['a1', [1024]],
          ['a2', [2048]],
        ]);
        // The block ended with its session at T0+1h.
        expect(await found({ ip: '198.51.100.7', port: 1500, from: at(70 * MINUTE), to: at(80 * MINUTE) })).toEqual([]);
        expect(await found({ ip: '203.0.113.5', port: 2000 })).toEqual(['b1']);
      });

      it('takes the window with its edges: a session that ended at `from` or started at `to` is in it', async () => {
        await seed();
        const alice = (await ctx.stores.identities.getByUsername('alice'))!.id;
        const a1 = { identityId: alice, tenantId: (await ctx.stores.tenants.getBySlug('rennes'))!.id };
        expect(await found({ ...a1, from: at(HOUR), to: at(2 * HOUR) })).toEqual(['a1']);
        expect(await found({ ...a1, from: at(HOUR + 1), to: at(2 * HOUR) })).toEqual([]);
        expect(await found({ ...a1, from: at(-HOUR), to: T0 })).toEqual(['a1']);
        expect(await found({ ...a1, from: at(-HOUR), to: at(-1) })).toEqual([]);
        // An active session reaches its last report.
        expect(await found({ ip: '10.0.0.3', from: at(2 * HOUR), to: at(3 * HOUR) })).toEqual(['a2']);
        expect(await found({ ip: '10.0.0.3', from: at(2 * HOUR + 1), to: at(3 * HOUR) })).toEqual([]);
      });

      it('names the subscriber from the legal archive once the account is erased, and none when neither remains', async () => {
        const { alice } = await seed();
        await ctx.stores.identities.erase(alice.id, at(3 * HOUR), 'citizen');
        const entries = await ctx.stores.legal.search(q({ identityId: alice.id }));
        expect(entries.map((e) => e.subscriber)).toEqual([
          { username: 'alice', email: 'alice@example.org', erasedAt: at(3 * HOUR) },
          { username: 'alice', email: 'alice@example.org', erasedAt: at(3 * HOUR) },
        ]);
        expect(await ctx.stores.legal.archivedIdentity(alice.id)).toEqual({ username: 'alice', email: 'alice@example.org', erasedAt: at(3 * HOUR), reason: 'citizen' });
        expect(await ctx.stores.legal.archivedIdentity('nobody')).toBeNull();
        const [bob] = await ctx.stores.legal.search(q({ ip: '10.0.0.3' }));
        expect(bob!.subscriber).toBeNull();
        expect(bob!.session.username).toBe('bob');
      });

      it('flags the sessions an active hold names', async () => {
        const { a, a1 } = await seed();
        const hold = await ctx.stores.legal.createHold({ tenantId: a, reference: 'PV 1', reason: 'requisition', createdBy: 'admin', sessionIds: [a1] });
        expect((await ctx.stores.legal.search(q({ ip: '198.51.100.7' }))).map((e) => [e.session.acctSessionId, e.held])).toEqual([
          ['a1', true],
          ['a2', false],
        ]);
        await ctx.stores.legal.releaseHold(a, hold.id, 'admin', at(HOUR));
        expect((await ctx.stores.legal.search(q({ ip: '198.51.100.7' }))).map((e) => e.held)).toEqual([false, false]);
      });
    });

    describe('legal holds', () => {
      const seed = async () => {
        const a = await tenant('rennes');
        const b = await tenant('brest');
        await ctx.stores.accounting.record([
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'a1' }),
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'a2' }),
          acct({ tenantId: b, statusType: 'start', acctSessionId: 'b1' }),
        ]);
        return { a, b, a1: await sid(a, 'a1'), a2: await sid(a, 'a2'), b1: await sid(b, 'b1') };
      };

      it('creates a hold on its municipality’s sessions, lists it, and counts the sessions held', async () => {
        const { a, b, a1, a2 } = await seed();
        const hold = await ctx.stores.legal.createHold({ tenantId: a, reference: 'PV 2025/17', reason: 'Réquisition judiciaire', createdBy: 'token:city', sessionIds: [a2, a1, a2] });
        expect(hold).toEqual({
          id: expect.any(String),
          tenantId: a,
          reference: 'PV 2025/17',
          reason: 'Réquisition judiciaire',
          createdBy: 'token:city',
          createdAt: T0,
          releasedAt: null,
          releasedBy: null,
          sessionIds: [a1, a2].sort(),
        });
        expect(await ctx.stores.legal.listHolds(a)).toEqual([hold]);
        expect(await ctx.stores.legal.listHolds(null)).toEqual([hold]);
        expect(await ctx.stores.legal.listHolds(b)).toEqual([]);
        expect(await ctx.stores.legal.heldSessionCount()).toBe(2);
      });

      it("refuses another municipality's session, or an unknown one, and creates nothing", async () => {
        const { a, b, a1, b1 } = await seed();
        await expectAppError(ctx.stores.legal.createHold({ tenantId: a, reference: 'x', reason: 'x', createdBy: 'x', sessionIds: [a1, b1] }), E.SESSION_NOT_FOUND, { session: b1 });
        await expectAppError(ctx.stores.legal.createHold({ tenantId: b, reference: 'x', reason: 'x', createdBy: 'x', sessionIds: ['nope'] }), E.SESSION_NOT_FOUND, { session: 'nope' });
        expect(await ctx.stores.legal.listHolds(null, { includeReleased: true })).toEqual([]);
        expect(await ctx.stores.legal.heldSessionCount()).toBe(0);
        // The federation may hold any municipality's sessions.
        const fed = await ctx.stores.legal.createHold({ tenantId: null, reference: 'x', reason: 'x', createdBy: 'admin', sessionIds: [a1, b1] });
        expect(fed.sessionIds).toEqual([a1, b1].sort());
        // A municipality does not see the federation's holds.
        expect(await ctx.stores.legal.listHolds(a)).toEqual([]);
      });

      it('releases a hold within its scope, once; lists newest first, released ones on request', async () => {
        const { a, b, a1, a2 } = await seed();
        const first = await ctx.stores.legal.createHold({ tenantId: a, reference: 'one', reason: 'r', createdBy: 'u', sessionIds: [a1] });
        ctx.clock.advance(MINUTE);
        const second = await ctx.stores.legal.createHold({ tenantId: a, reference: 'two', reason: 'r', createdBy: 'u', sessionIds: [a1, a2] });
        expect((await ctx.stores.legal.listHolds(a)).map((h) => h.reference)).toEqual(['two', 'one']);
        expect(await ctx.stores.legal.heldSessionCount()).toBe(2);

        await expectAppError(ctx.stores.legal.releaseHold(b, first.id, 'other', at(HOUR)), E.LEGAL_HOLD_NOT_FOUND, { hold: first.id });
        await expectAppError(ctx.stores.legal.releaseHold(null, 'nope', 'admin', at(HOUR)), E.LEGAL_HOLD_NOT_FOUND, { hold: 'nope' });
        const released = await ctx.stores.legal.releaseHold(a, second.id, 'token:city', at(HOUR));
        expect(released).toEqual({ ...second, releasedAt: at(HOUR), releasedBy: 'token:city' });
        expect(await ctx.stores.legal.releaseHold(null, second.id, 'admin', at(2 * HOUR))).toEqual(released);
        expect(await ctx.stores.legal.listHolds(a)).toEqual([first]);
        expect(await ctx.stores.legal.listHolds(a, { includeReleased: true })).toEqual([released, first]);
        expect(await ctx.stores.legal.heldSessionCount()).toBe(1);
      });
    });

    describe('one-year purge', () => {
      it('removes what ended before the cutoff, in batches, keeping held, active and recent sessions', async () => {
        const seed = await seedPurge(ctx.stores, ctx.clock);
        const runs = await purgeAll(ctx.stores, seed.cutoff, 2);
        expect(runs.map((r) => r.sessions)).toEqual([2, 2, 1, 0]);
        expect(runs.at(-1)).toEqual({ sessions: 0, accountingRecords: 0, natMappings: 0, identityArchives: 0 });
        expect(total(runs)).toEqual(seed.expected);
        await expectPurged(ctx.stores, seed);
        // The held session is still found, with its erased subscriber.
        const [entry] = await ctx.stores.legal.search({ tenantId: null, from: T0, to: at(DAY), identityId: seed.dave, limit: 10 });
        expect(entry).toMatchObject({ held: true, subscriber: { username: 'dave', erasedAt: at(HOUR) } });
        expect(entry!.natMappings).toHaveLength(1);

        // Released, the hold no longer protects the session: the next purge takes it, its records, and dave's archive.
        await ctx.stores.legal.releaseHold(null, seed.holdId, 'admin', ctx.clock.now());
        expect(total(await purgeAll(ctx.stores, seed.cutoff, 2))).toEqual({ sessions: 1, accountingRecords: 2, natMappings: 1, identityArchives: 1 });
        expect((await ctx.stores.sessions.list({})).map((s) => s.acctSessionId).sort()).toEqual(['active', 'recent']);
        expect(await ctx.stores.legal.archivedIdentity(seed.dave)).toBeNull();
        expect(await ctx.stores.legal.heldSessionCount()).toBe(0);
      });

      it('never takes an active session, however old', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start' })]);
        ctx.clock.advance(3 * YEAR);
        expect(await ctx.stores.legal.purgeBatch(ctx.clock.now(), 10)).toEqual({ sessions: 0, accountingRecords: 0, natMappings: 0, identityArchives: 0 });
        expect(await ctx.stores.sessions.list({})).toHaveLength(1);
        expect(await ctx.stores.accounting.count()).toBe(1);
      });

      describe('a key a NAS reused (RFC 2866 §5.5): each session takes only its own records', () => {
        /**
         * Three sessions of one key: A (T0 to 10 min, and a late Interim-Update of
         * its own received at 11 min), B (12 to 20 min), C (from 30 min, stopped
         * after the cutoff). Returns them oldest first.
         */
        const reusedKey = async (t: string) => {
          const r = (statusType: 'start' | 'interim' | 'stop', minutes: number, sessionTime = 0) =>
            acct({ tenantId: t, statusType, eventAt: at(minutes * MINUTE), sessionTime });
          await ctx.stores.accounting.record([r('start', 0), r('interim', 5, 300), r('stop', 10, 600)]);
          await ctx.stores.accounting.record([r('interim', 11, 660)]);
          await ctx.stores.accounting.record([r('start', 12), r('interim', 17, 300), r('stop', 20, 480)]);
          await ctx.stores.accounting.record([r('start', 30), acct({ tenantId: t, statusType: 'stop', eventAt: at(3 * DAY), sessionTime: 3 * 24 * 3600 - 1800 })]);
          const [c, b, a] = await ctx.stores.sessions.list({ tenantId: t });
          expect([a, b, c].map((s) => s!.startedAt)).toEqual([T0, at(12 * MINUTE), at(30 * MINUTE)]);
          expect(await ctx.stores.accounting.count()).toBe(9);
          return { a: a!, b: b!, c: c! };
        };
        const hold = (t: string, sessionId: string) =>
          ctx.stores.legal.createHold({ tenantId: t, reference: 'PV 2025/003', reason: 'requisition', createdBy: 'admin', sessionIds: [sessionId] });
        const sessionStarts = async (t: string) =>
          (await ctx.stores.legal.search({ tenantId: t, from: T0, to: at(4 * DAY), limit: 10 })).map((e) => e.session.startedAt);

        it('purges the older session while the newer one is held, keeping every record of the newer ones', async () => {
          const t = await tenant();
          const { b } = await reusedKey(t);
          const h = await hold(t, b.id);
          // A's Start, Interim and Stop go; its late Interim (after its stop, before B's start) stays with B.
          expect(total(await purgeAll(ctx.stores, at(DAY), 10))).toEqual({ sessions: 1, accountingRecords: 3, natMappings: 0, identityArchives: 0 });
          expect(await ctx.stores.accounting.count()).toBe(6);
          expect(await sessionStarts(t)).toEqual([at(12 * MINUTE), at(30 * MINUTE)]);
          // Released, B goes with its records and the straggler; C's Start, before the cutoff, stays with C.
          await ctx.stores.legal.releaseHold(t, h.id, 'admin', ctx.clock.now());
          expect(total(await purgeAll(ctx.stores, at(DAY), 10))).toEqual({ sessions: 1, accountingRecords: 4, natMappings: 0, identityArchives: 0 });
          expect(await ctx.stores.accounting.count()).toBe(2);
          expect(await sessionStarts(t)).toEqual([at(30 * MINUTE)]);
        });

        it('purges the newer session while the older one is held, keeping the older one’s records, its late ones too', async () => {
          const t = await tenant();
          const { a } = await reusedKey(t);
          await hold(t, a.id);
          expect(total(await purgeAll(ctx.stores, at(DAY), 10))).toEqual({ sessions: 1, accountingRecords: 3, natMappings: 0, identityArchives: 0 });
          // A: Start, Interim, Stop, late Interim; C: Start, Stop.
          expect(await ctx.stores.accounting.count()).toBe(6);
          expect(await sessionStarts(t)).toEqual([T0, at(30 * MINUTE)]);
        });
      });

      it('leaves a purged session’s later records until they expire in turn', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'start' }),
          acct({ tenantId: t, statusType: 'stop', eventAt: at(HOUR), sessionTime: 3600 }),
          // A late Interim-Update of the same connection (Acct-Session-Time dates it from T0) whose timestamp is after the cutoff.
          acct({ tenantId: t, statusType: 'interim', eventAt: at(3 * DAY), sessionTime: (3 * DAY) / 1000 }),
        ]);
        const first = total(await purgeAll(ctx.stores, at(DAY), 10));
        expect(first).toEqual({ sessions: 1, accountingRecords: 2, natMappings: 0, identityArchives: 0 });
        expect(await ctx.stores.accounting.count()).toBe(1);
        expect(total(await purgeAll(ctx.stores, at(4 * DAY), 10))).toMatchObject({ sessions: 0, accountingRecords: 1 });
        expect(await ctx.stores.accounting.count()).toBe(0);
      });
    });
  });
}
