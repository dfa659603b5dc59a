import { describe, expect, it } from 'vitest';
import type { AccountingRecord, Session } from '../../controller/domain/entities.js';
import type { AccountingOutcome } from '../../controller/ports/stores.js';
import { acct, at, expectRejects, HOUR, MINUTE, SECOND, newTenant, T0, useStores, type MakeStores } from './harness.js';

/**
 * The group commit the RADIUS server acknowledges on: raw records and the
 * sessions they move, all or nothing. A session is keyed by
 * (tenant, NAS IP, Acct-Session-Id); a key may come back for a new session
 * once its session stopped (RFC 2866 §5.5), never with two active at once.
 */
export function describeAccountingStore(name: string, make: MakeStores): void {
  describe(`AccountingStore contract: ${name}`, () => {
    const ctx = useStores(make);
    const tenant = async (slug = 'rennes') => (await ctx.stores.tenants.create(newTenant(slug))).id;
    const sessions = async (tenantId?: string): Promise<Session[]> => ctx.stores.sessions.list(tenantId === undefined ? {} : { tenantId });
    const only = async (tenantId: string): Promise<Session> => {
      const all = await sessions(tenantId);
      expect(all).toHaveLength(1);
      return all[0]!;
    };

    it('accepts an empty batch', async () => {
      await ctx.stores.accounting.record([]);
      expect(await ctx.stores.accounting.count()).toBe(0);
    });

    it('opens a session on Start', async () => {
      const t = await tenant();
      await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', identityId: 'id-alice', apId: 'ap-1', nasIdentifier: 'gw-1' })]);
      expect(await ctx.stores.accounting.count()).toBe(1);
      expect(await only(t)).toEqual({
        id: expect.any(String),
        tenantId: t,
        acctSessionId: 'sess-1',
        nasIp: '192.0.2.10',
        nasAddress: null,
        nasIdentifier: 'gw-1',
        identityId: 'id-alice',
        username: 'alice',
        callingStationId: '02:00:00:00:00:01',
        calledStationId: 'AA-BB-CC-00-00-01:Wifi-Region',
        apId: 'ap-1',
        framedIp: '10.0.0.2',
        startedAt: T0,
        updatedAt: T0,
        stoppedAt: null,
        sessionTime: 0,
        inputOctets: 0,
        outputOctets: 0,
        terminateCause: null,
        status: 'active',
      });
    });

    it('moves the session with Interim-Update and closes it with Stop, across batches', async () => {
      const t = await tenant();
      await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start' })]);
      const id = (await only(t)).id;
      await ctx.stores.accounting.record([
        acct({ tenantId: t, statusType: 'interim', eventAt: at(10 * MINUTE), sessionTime: 600, inputOctets: 1000, outputOctets: 5000 }),
      ]);
      expect(await only(t)).toMatchObject({ id, status: 'active', updatedAt: at(10 * MINUTE), sessionTime: 600, inputOctets: 1000 });
      await ctx.stores.accounting.record([
        acct({
          tenantId: t,
          statusType: 'stop',
          eventAt: at(15 * MINUTE),
          sessionTime: 900,
          inputOctets: 1500,
          outputOctets: 7000,
          terminateCause: 'User-Request',
        }),
      ]);
      expect(await only(t)).toMatchObject({
        id,
        status: 'stopped',
        startedAt: T0,
        stoppedAt: at(15 * MINUTE),
        sessionTime: 900,
        inputOctets: 1500,
        outputOctets: 7000,
        terminateCause: 'User-Request',
      });
      expect(await ctx.stores.accounting.count()).toBe(3);
    });

    it("keeps the NAS's source address (RFC 5176 §3: where Disconnect/CoA go), following it when it moves", async () => {
      const t = await tenant();
      await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', nasIp: '10.1.1.1', nasAddress: '198.51.100.7' })]);
      expect(await only(t)).toMatchObject({ nasIp: '10.1.1.1', nasAddress: '198.51.100.7' });
      // A record without one (a reaper's Stop) keeps what the session had.
      await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'interim', nasIp: '10.1.1.1', nasAddress: null, eventAt: at(MINUTE) })]);
      expect(await only(t)).toMatchObject({ nasAddress: '198.51.100.7' });
      // The NAT in front of the NAS changed its public address.
      await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'interim', nasIp: '10.1.1.1', nasAddress: '198.51.100.8', eventAt: at(2 * MINUTE) })]);
      const s = await only(t);
      expect(s).toMatchObject({ nasAddress: '198.51.100.8', updatedAt: at(2 * MINUTE) });
      expect(await ctx.stores.sessions.get(t, s.id)).toEqual(s);
    });

    describe('outcome: octets the batch added, per municipality, for the metrics', () => {
      const octets = (o: AccountingOutcome, tenantId: string) => o.octets.get(tenantId) ?? { input: 0, output: 0 };

      it('counts a new session in full, then only the growth of each Interim-Update and Stop', async () => {
        const t = await tenant();
        let o = await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', inputOctets: 0, outputOctets: 0 })]);
        expect(octets(o, t)).toEqual({ input: 0, output: 0 });
        o = await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'interim', eventAt: at(MINUTE), inputOctets: 1000, outputOctets: 50_000 }),
          acct({ tenantId: t, statusType: 'interim', eventAt: at(2 * MINUTE), inputOctets: 1500, outputOctets: 80_000 }),
        ]);
        expect(octets(o, t)).toEqual({ input: 1500, output: 80_000 });
        o = await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'stop', eventAt: at(3 * MINUTE), inputOctets: 1600, outputOctets: 90_000 })]);
        expect(octets(o, t)).toEqual({ input: 100, output: 10_000 });
        // A session first seen through an Interim (its Start lost) counts what it reports.
        o = await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'interim', acctSessionId: 'late', eventAt: at(5 * MINUTE), inputOctets: 2 ** 32 + 7, outputOctets: 9 }),
        ]);
        expect(octets(o, t)).toEqual({ input: 2 ** 32 + 7, output: 9 });
      });

      it('counts nothing for a counter that went down (a NAS that restarted counting, a reordered Interim)', async () => {
        const t = await tenant();
        // The first record seen is an Interim 10 minutes into the session (its Start was lost).
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'interim', eventAt: at(10 * MINUTE), sessionTime: 600, inputOctets: 5000, outputOctets: 7000 })]);
        const o = await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'interim', eventAt: at(5 * MINUTE), sessionTime: 300, inputOctets: 100, outputOctets: 7500 }),
        ]);
        expect(octets(o, t)).toEqual({ input: 0, output: 500 });
        const again = await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'interim', eventAt: at(11 * MINUTE), sessionTime: 660, inputOctets: 10, outputOctets: 10 })]);
        expect(octets(again, t)).toEqual({ input: 0, output: 0 });
      });

      it('keeps municipalities apart, and counts nothing for Accounting-On/Off', async () => {
        const a = await tenant('rennes');
        const b = await tenant('brest');
        await ctx.stores.accounting.record([acct({ tenantId: a, statusType: 'start', inputOctets: 10, outputOctets: 20 })]);
        const o = await ctx.stores.accounting.record([
          acct({ tenantId: a, statusType: 'interim', eventAt: at(MINUTE), inputOctets: 110, outputOctets: 220 }),
          acct({ tenantId: b, statusType: 'start', inputOctets: 3, outputOctets: 4 }),
          acct({ tenantId: b, statusType: 'start', acctSessionId: 'sess-2', inputOctets: 30, outputOctets: 40 }),
          acct({ tenantId: a, statusType: 'accounting-on', eventAt: at(2 * MINUTE), inputOctets: 999, outputOctets: 999 }),
        ]);
        expect(octets(o, a)).toEqual({ input: 100, output: 200 });
        expect(octets(o, b)).toEqual({ input: 33, output: 44 });
        expect([...o.octets.keys()].sort()).toEqual([a, b].sort());
        expect((await ctx.stores.accounting.record([])).octets.size).toBe(0);
      });
    });

    it('applies the records of one batch in order', async () => {
      const t = await tenant();
      await ctx.stores.accounting.record([
        acct({ tenantId: t, statusType: 'start' }),
        acct({ tenantId: t, statusType: 'interim', eventAt: at(MINUTE), sessionTime: 60, inputOctets: 10 }),
        acct({ tenantId: t, statusType: 'stop', eventAt: at(2 * MINUTE), sessionTime: 120, inputOctets: 20, terminateCause: 'Idle-Timeout' }),
        acct({ tenantId: t, statusType: 'start', acctSessionId: 'sess-2', eventAt: at(3 * MINUTE) }),
      ]);
      expect(await ctx.stores.accounting.count()).toBe(4);
      const [s2, s1] = await sessions(t);
      expect(s1).toMatchObject({ acctSessionId: 'sess-1', status: 'stopped', sessionTime: 120, inputOctets: 20, terminateCause: 'Idle-Timeout' });
      expect(s2).toMatchObject({ acctSessionId: 'sess-2', status: 'active' });
    });

    it('creates a session from an Interim-Update whose Start was lost, dating its start back', async () => {
      const t = await tenant();
      await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'interim', eventAt: at(10 * MINUTE), sessionTime: 600 })]);
      expect(await only(t)).toMatchObject({ status: 'active', startedAt: T0, updatedAt: at(10 * MINUTE), sessionTime: 600 });
    });

    it('keys sessions by tenant, NAS IP and Acct-Session-Id', async () => {
      const a = await tenant('rennes');
      const b = await tenant('brest');
      await ctx.stores.accounting.record([
        acct({ tenantId: a, statusType: 'start' }),
        acct({ tenantId: a, statusType: 'start', nasIp: '192.0.2.11' }),
        acct({ tenantId: b, statusType: 'start' }),
        acct({ tenantId: a, statusType: 'interim', sessionTime: 60, eventAt: at(MINUTE) }),
      ]);
      expect(await sessions(a)).toHaveLength(2);
      expect(await sessions(b)).toHaveLength(1);
      expect((await sessions(b))[0]).toMatchObject({ sessionTime: 0 });
      const onNas10 = (await sessions(a)).find((s) => s.nasIp === '192.0.2.10');
      expect(onNas10).toMatchObject({ sessionTime: 60 });
    });

    it('never shrinks counters, even for a late Interim-Update after the Stop', async () => {
      const t = await tenant();
      await ctx.stores.accounting.record([
        acct({ tenantId: t, statusType: 'start' }),
        acct({ tenantId: t, statusType: 'stop', eventAt: at(10 * MINUTE), sessionTime: 600, inputOctets: 900 }),
      ]);
      await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'interim', eventAt: at(5 * MINUTE), sessionTime: 300, inputOctets: 400 })]);
      expect(await only(t)).toMatchObject({ status: 'stopped', stoppedAt: at(10 * MINUTE), sessionTime: 600, inputOctets: 900 });
      expect(await ctx.stores.accounting.count()).toBe(3);
    });

    describe('a NAS that reuses an Acct-Session-Id after its session stopped (RFC 2866 §5.5)', () => {
      /** The first connection on the key: Start at T0, Stop at 10 min (the NAS rebooting). */
      const firstLife = (tenantId: string): AccountingRecord[] => [
        acct({ tenantId, statusType: 'start', identityId: 'id-alice' }),
        acct({ tenantId, statusType: 'interim', eventAt: at(5 * MINUTE), sessionTime: 300, inputOctets: 4000, outputOctets: 9000 }),
        acct({ tenantId, statusType: 'stop', eventAt: at(10 * MINUTE), sessionTime: 600, inputOctets: 5000, outputOctets: 10_000, terminateCause: 'NAS-Reboot' }),
      ];
      const octets = (o: AccountingOutcome, tenantId: string) => o.octets.get(tenantId) ?? { input: 0, output: 0 };

      it('opens a new session for a Start after the stop: the old one stays stopped, the new one is active with its own start and counters', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record(firstLife(t));
        const old = await only(t);
        const o = await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'start', eventAt: at(12 * MINUTE), username: 'bob', identityId: 'id-bob', framedIp: '10.0.0.9', inputOctets: 0 }),
          acct({ tenantId: t, statusType: 'interim', eventAt: at(17 * MINUTE), sessionTime: 300, inputOctets: 700, outputOctets: 800, framedIp: '10.0.0.9' }),
        ]);
        // The new session's counters count from zero, not as growth over the old session's.
        expect(octets(o, t)).toEqual({ input: 700, output: 800 });
        const [fresh, stopped] = await sessions(t);
        expect(stopped).toEqual(old);
        expect(fresh).toEqual({
          ...old,
          id: expect.any(String),
          username: 'bob',
          identityId: 'id-bob',
          framedIp: '10.0.0.9',
          startedAt: at(12 * MINUTE),
          updatedAt: at(17 * MINUTE),
          stoppedAt: null,
          sessionTime: 300,
          inputOctets: 700,
          outputOctets: 800,
          terminateCause: null,
          status: 'active',
        });
        expect(fresh!.id).not.toBe(old.id);
        expect(await ctx.stores.sessions.get(t, fresh!.id)).toEqual(fresh);
        expect(await ctx.stores.sessions.list({ tenantId: t, activeOnly: true })).toEqual([fresh]);
        expect(await ctx.stores.sessions.countActive('id-bob')).toBe(1);
        expect(await ctx.stores.accounting.count()).toBe(5);

        // Later records move the new session only; its Stop ends it.
        await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'stop', eventAt: at(20 * MINUTE), sessionTime: 480, inputOctets: 900, outputOctets: 950, terminateCause: 'User-Request' }),
        ]);
        const [ended, untouched] = await sessions(t);
        expect(ended).toMatchObject({ id: fresh!.id, status: 'stopped', stoppedAt: at(20 * MINUTE), inputOctets: 900, terminateCause: 'User-Request' });
        expect(untouched).toEqual(old);
      });

      it('merges a retransmitted or reordered Start dated at or before the stop, and a late Interim-Update of the old connection', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record(firstLife(t));
        const old = await only(t);
        const o = await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'start', identityId: 'id-alice' }),
          acct({ tenantId: t, statusType: 'start', eventAt: at(10 * MINUTE) }),
          // Received after the stop, but Acct-Session-Time dates it from the old connection's start.
          acct({ tenantId: t, statusType: 'interim', eventAt: at(11 * MINUTE), sessionTime: 660, inputOctets: 6000, outputOctets: 100 }),
        ]);
        expect(await only(t)).toEqual({ ...old, updatedAt: at(11 * MINUTE), sessionTime: 660, inputOctets: 6000 });
        expect(octets(o, t)).toEqual({ input: 1000, output: 0 });
        expect(await ctx.stores.accounting.count()).toBe(6);
      });

      it('opens a new session from an Interim-Update whose implied start is after the stop (its Start lost), and records a lone Stop as one', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record(firstLife(t));
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'interim', eventAt: at(20 * MINUTE), sessionTime: 300, inputOctets: 50 })]);
        const [second] = await sessions(t);
        expect(second).toMatchObject({ status: 'active', startedAt: at(15 * MINUTE), updatedAt: at(20 * MINUTE), inputOctets: 50 });
        // The NAS reboots again (Accounting-On), and the key's third connection is only seen by its Stop.
        await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'accounting-on', acctSessionId: '', eventAt: at(25 * MINUTE) }),
          acct({ tenantId: t, statusType: 'stop', eventAt: at(40 * MINUTE), sessionTime: 600, inputOctets: 3, terminateCause: 'Idle-Timeout' }),
        ]);
        const all = await sessions(t);
        expect(all.map((s) => [s.startedAt, s.status, s.terminateCause])).toEqual([
          [at(30 * MINUTE), 'stopped', 'Idle-Timeout'],
          [at(15 * MINUTE), 'stopped', 'NAS-Reboot'],
          [T0, 'stopped', 'NAS-Reboot'],
        ]);
        expect(new Set(all.map((s) => s.id)).size).toBe(3);
      });

      it('handles the Stop of the old connection and the Start of the new one in one batch, with duplicates', async () => {
        const t = await tenant();
        const start = acct({ tenantId: t, statusType: 'start', eventAt: at(11 * MINUTE), username: 'bob' });
        const o = await ctx.stores.accounting.record([
          ...firstLife(t),
          // The old Stop retransmitted, the new Start twice, then the new connection's first Interim-Update.
          firstLife(t)[2]!,
          start,
          start,
          acct({ tenantId: t, statusType: 'interim', eventAt: at(16 * MINUTE), sessionTime: 300, inputOctets: 40, outputOctets: 60 }),
        ]);
        // The first connection counts 5000/10000 and the second 40/60: neither as growth over the other.
        expect(octets(o, t)).toEqual({ input: 5040, output: 10_060 });
        const [fresh, old] = await sessions(t);
        expect(old).toMatchObject({ status: 'stopped', startedAt: T0, stoppedAt: at(10 * MINUTE), inputOctets: 5000, terminateCause: 'NAS-Reboot' });
        expect(fresh).toMatchObject({ status: 'active', startedAt: at(11 * MINUTE), updatedAt: at(16 * MINUTE), inputOctets: 40, username: 'bob' });
        expect(await ctx.stores.sessions.list({ tenantId: t })).toHaveLength(2);
        expect(await ctx.stores.accounting.count()).toBe(7);
      });

      it('gives the new session its own NAT blocks (RFC 8045), and ends the old ones with the old session', async () => {
        const t = await tenant();
        const block = (portStart: number) => [{ publicIp: '198.51.100.7', portStart, portEnd: portStart + 1023, internalIp: null }];
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', natMappings: block(1024) }), firstLife(t)[2]!]);
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', eventAt: at(12 * MINUTE), natMappings: block(2048) })]);
        const [fresh, old] = await sessions(t);
        expect(await ctx.stores.legal.natMappingsOf(t, old!.id)).toEqual([expect.objectContaining({ portStart: 1024, endedAt: at(10 * MINUTE) })]);
        expect(await ctx.stores.legal.natMappingsOf(t, fresh!.id)).toEqual([expect.objectContaining({ portStart: 2048, startedAt: at(12 * MINUTE), endedAt: null })]);
      });

      it('keeps a key to one active session: a Start for an active session moves it', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start' })]);
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', eventAt: at(HOUR) })]);
        expect(await only(t)).toMatchObject({ status: 'active', startedAt: T0, updatedAt: at(HOUR) });
      });
    });

    describe('atomicity: a failing record leaves nothing of its batch', () => {
      const cases: Array<[string, (t: string) => AccountingRecord]> = [
        ['a negative counter', (t) => acct({ tenantId: t, statusType: 'interim', acctSessionId: 'bad', inputOctets: -1 })],
        ['a fractional session time', (t) => acct({ tenantId: t, statusType: 'interim', acctSessionId: 'bad', sessionTime: 1.5 })],
        ['an unknown status type', (t) => acct({ tenantId: t, statusType: 'bogus' as AccountingRecord['statusType'] })],
        ['a missing username', (t) => acct({ tenantId: t, statusType: 'start', username: null as unknown as string })],
        ['an invalid event time', (t) => acct({ tenantId: t, statusType: 'start', eventAt: new Date(Number.NaN) })],
        ['an unknown tenant', () => acct({ tenantId: 'no-such-tenant', statusType: 'start' })],
      ];
      for (const [label, bad] of cases) {
        it(`rolls back the whole batch on ${label}`, async () => {
          const t = await tenant();
          await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', acctSessionId: 'before' })]);
          const snapshot = await sessions();
          await expectRejects(
            ctx.stores.accounting.record([
              acct({ tenantId: t, statusType: 'start', acctSessionId: 'new-1' }),
              acct({ tenantId: t, statusType: 'interim', acctSessionId: 'before', sessionTime: 60, eventAt: at(MINUTE) }),
              acct({ tenantId: t, statusType: 'accounting-on', eventAt: at(MINUTE) }),
              bad(t),
              acct({ tenantId: t, statusType: 'start', acctSessionId: 'new-2' }),
            ]),
          );
          expect(await ctx.stores.accounting.count()).toBe(1);
          expect(await sessions()).toEqual(snapshot);
          // The store is still usable: the NAS's retransmission goes through.
          await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'start', acctSessionId: 'new-1' })]);
          expect(await ctx.stores.accounting.count()).toBe(2);
        });
      }
    });

    describe('Accounting-On/Off (RFC 2866 §5.1): the NAS lost its sessions', () => {
      const setUp = async () => {
        const a = await tenant('rennes');
        const b = await tenant('brest');
        await ctx.stores.accounting.record([
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'a1' }),
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'a2', eventAt: at(MINUTE) }),
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'a3' }),
          acct({ tenantId: a, statusType: 'stop', acctSessionId: 'a3', eventAt: at(2 * MINUTE), sessionTime: 120, terminateCause: 'User-Request' }),
          acct({ tenantId: a, statusType: 'start', acctSessionId: 'other-nas', nasIp: '192.0.2.99' }),
          // Same NAS address in another municipality: not the same NAS.
          acct({ tenantId: b, statusType: 'start', acctSessionId: 'b1' }),
        ]);
        return { a, b };
      };
      const byAcctId = async (tenantId: string) => new Map((await sessions(tenantId)).map((s) => [s.acctSessionId, s]));

      for (const statusType of ['accounting-on', 'accounting-off'] as const) {
        it(`${statusType} closes only that NAS's active sessions, as NAS-Reboot at the event time`, async () => {
          const { a, b } = await setUp();
          const before = await byAcctId(a);
          await ctx.stores.accounting.record([acct({ tenantId: a, statusType, acctSessionId: '', username: '', eventAt: at(10 * MINUTE) })]);
          const after = await byAcctId(a);
          for (const id of ['a1', 'a2']) {
            expect(after.get(id)).toEqual({
              ...before.get(id)!,
              status: 'stopped',
              stoppedAt: at(10 * MINUTE),
              terminateCause: 'NAS-Reboot',
            });
          }
          expect(after.get('a3')).toEqual(before.get('a3'));
          expect(after.get('other-nas')).toEqual(before.get('other-nas'));
          expect((await sessions(b))[0]).toMatchObject({ status: 'active' });
          expect(await ctx.stores.accounting.count()).toBe(7);
        });
      }

      it('does not close sessions that started after the event', async () => {
        const { a } = await setUp();
        await ctx.stores.accounting.record([acct({ tenantId: a, statusType: 'accounting-on', eventAt: at(30 * SECOND) })]);
        const after = await byAcctId(a);
        expect(after.get('a1')).toMatchObject({ status: 'stopped' });
        expect(after.get('a2')).toMatchObject({ status: 'active' });
      });

      it('narrows to the NAS-Identifier when the record has one (gateways behind one NAT)', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record([
          acct({ tenantId: t, statusType: 'start', acctSessionId: 's1', nasIdentifier: 'gw-1' }),
          acct({ tenantId: t, statusType: 'start', acctSessionId: 's2', nasIdentifier: 'gw-2' }),
          acct({ tenantId: t, statusType: 'accounting-on', nasIdentifier: 'gw-1', eventAt: at(MINUTE) }),
        ]);
        const after = await byAcctId(t);
        expect(after.get('s1')).toMatchObject({ status: 'stopped', terminateCause: 'NAS-Reboot' });
        expect(after.get('s2')).toMatchObject({ status: 'active' });
      });

      it('is a no-op on sessions for a NAS that had none', async () => {
        const t = await tenant();
        await ctx.stores.accounting.record([acct({ tenantId: t, statusType: 'accounting-on' })]);
        expect(await sessions(t)).toEqual([]);
        expect(await ctx.stores.accounting.count()).toBe(1);
      });
    });
  });
}
