/**
 * The one suite every LiveSessionStore adapter passes (memory, Redis).
 * `make` gets a manual clock and returns two handles on the same state: for
 * Redis two connections, i.e. two nodes; for memory the same store twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mac } from '../../controller/domain/mac.js';
import type { Clock } from '../../controller/ports/clock.js';
import type { LiveSession, LiveSessionStore } from '../../controller/ports/live-sessions.js';

export interface LiveSessionFixture {
  readonly a: LiveSessionStore;
  readonly b: LiveSessionStore;
  close(): Promise<void>;
}

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = Date.parse('2030-01-01T08:00:00Z')): ManualClock {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

const T0 = Date.parse('2030-01-01T08:00:00Z');
const MAC_A = 'aa:bb:cc:00:00:01' as Mac;
const MAC_B = 'aa:bb:cc:00:00:02' as Mac;

function session(over: Partial<LiveSession> = {}): LiveSession {
  return {
    tenantId: 'tenant-1',
    nasIp: '192.0.2.10',
    acctSessionId: 'S-0001',
    identityId: 'alice',
    username: 'alice',
    callingStationId: MAC_A,
    apId: 'ap-1',
    framedIp: null,
    startedAt: new Date(T0),
    updatedAt: new Date(T0),
    interimInterval: 600,
    sessionTime: 0,
    inputOctets: 0,
    outputOctets: 0,
    ...over,
  };
}

export function describeLiveSessionStore(
  name: string,
  make: (clock: ManualClock) => Promise<LiveSessionFixture>,
  opts: { skip?: boolean } = {},
): void {
  describe.skipIf(opts.skip ?? false)(`LiveSessionStore contract: ${name}`, () => {
    let fx: LiveSessionFixture;
    let store: LiveSessionStore;
    let clock: ManualClock;

    beforeEach(async () => {
      clock = manualClock(T0);
      fx = await make(clock);
      store = fx.a;
    });
    afterEach(async () => {
      await fx.close();
    });

    describe('start, get, touch, stop', () => {
      it('round-trips every field, nulls included', async () => {
        const full = session({ framedIp: '10.0.0.7', sessionTime: 12, inputOctets: 2 ** 40, outputOctets: 3 });
        const bare = session({ acctSessionId: 'S-0002', identityId: null, callingStationId: null, apId: null });
        expect(await store.start(full)).toBe(true);
        expect(await store.start(bare)).toBe(true);
        expect(await fx.b.get(full)).toEqual(full);
        expect(await fx.b.get(bare)).toEqual(bare);
        expect(await store.get(session({ acctSessionId: 'nope' }))).toBeNull();
      });

      it('keys on tenant, NAS and Acct-Session-Id, whatever characters the NAS uses', async () => {
        const odd = session({ acctSessionId: 'a|b:c d/é*?[]{x}' });
        await store.start(odd);
        await store.start(session({ nasIp: '2001:db8::1' }));
        await store.start(session({ tenantId: 'tenant-2' }));
        expect(await store.get(odd)).toEqual(odd);
        expect(await store.countByIdentity('alice')).toBe(3);
      });

      it('start is idempotent by key: the first wins', async () => {
        expect(await store.start(session())).toBe(true);
        expect(await fx.b.start(session({ username: 'other', sessionTime: 99 }))).toBe(false);
        expect((await store.get(session()))?.username).toBe('alice');
        expect(await store.countByIdentity('alice')).toBe(1);
      });

      it('only one of two nodes starting the same key at once creates it', async () => {
        const results = await Promise.all([store.start(session()), fx.b.start(session())]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.countByIdentity('alice')).toBe(1);
      });

      it('touch moves updatedAt and counters forward only, and sets the framed IP', async () => {
        await store.start(session());
        const later = new Date(T0 + 600_000);
        expect(await store.touch(session(), { updatedAt: later, sessionTime: 600, inputOctets: 5_000, outputOctets: 9_000, framedIp: '10.0.0.9' })).toBe(true);
        // A reordered, older Interim-Update changes nothing.
        await fx.b.touch(session(), { updatedAt: new Date(T0 + 300_000), sessionTime: 300, inputOctets: 1, outputOctets: 1 });
        const s = await store.get(session());
        expect(s).toMatchObject({ updatedAt: later, sessionTime: 600, inputOctets: 5_000, outputOctets: 9_000, framedIp: '10.0.0.9' });
        expect(s?.startedAt).toEqual(new Date(T0));
      });

      it('touch on a session that is not live says so', async () => {
        expect(await store.touch(session(), { updatedAt: new Date(T0), sessionTime: 1, inputOctets: 1, outputOctets: 1 })).toBe(false);
        expect(await store.get(session())).toBeNull();
      });

      it('stop returns the session and removes it from every index', async () => {
        await store.start(session());
        const got = await fx.b.stop(session());
        expect(got).toEqual(session());
        expect(await store.stop(session())).toBeNull();
        expect(await store.get(session())).toBeNull();
        expect(await store.countByIdentity('alice')).toBe(0);
        expect(await store.listByIdentity('alice')).toEqual([]);
        expect(await store.listByTenant('tenant-1')).toEqual([]);
        expect(await store.countByTenant()).toEqual(new Map());
        expect(await store.stale(new Date(T0 + 1e9))).toEqual([]);
      });
    });

    describe('queries', () => {
      it('lists and counts by identity across tenants; sessions without identity count for nobody', async () => {
        await store.start(session({ acctSessionId: '1' }));
        await store.start(session({ acctSessionId: '2', tenantId: 'tenant-2' }));
        await store.start(session({ acctSessionId: '3', identityId: 'bob', username: 'bob' }));
        await store.start(session({ acctSessionId: '4', identityId: null }));
        expect(await store.countByIdentity('alice')).toBe(2);
        expect((await fx.b.listByIdentity('alice')).map((s) => s.acctSessionId).sort()).toEqual(['1', '2']);
        expect(await store.countByIdentity('nobody')).toBe(0);
      });

      it('lists by tenant and counts every tenant', async () => {
        await store.start(session({ acctSessionId: '1' }));
        await store.start(session({ acctSessionId: '2' }));
        await store.start(session({ acctSessionId: '3', tenantId: 'tenant-2' }));
        expect((await store.listByTenant('tenant-1')).map((s) => s.acctSessionId).sort()).toEqual(['1', '2']);
        expect(await store.listByTenant('tenant-3')).toEqual([]);
        expect(await fx.b.countByTenant()).toEqual(new Map([['tenant-1', 2], ['tenant-2', 1]]));
        await store.stop(session({ acctSessionId: '3', tenantId: 'tenant-2' }));
        expect(await store.countByTenant()).toEqual(new Map([['tenant-1', 2]]));
      });

      it('closeByNas closes that NAS of that tenant only (RFC 2866 §5.1 Accounting-On/Off)', async () => {
        await store.start(session({ acctSessionId: '1' }));
        await store.start(session({ acctSessionId: '2', identityId: 'bob' }));
        await store.start(session({ acctSessionId: '3', nasIp: '192.0.2.11' }));
        await store.start(session({ acctSessionId: '4', tenantId: 'tenant-2' })); // same NAS address, another tenant
        const closed = await fx.b.closeByNas('tenant-1', '192.0.2.10');
        expect(closed.map((s) => s.acctSessionId).sort()).toEqual(['1', '2']);
        expect(closed.find((s) => s.acctSessionId === '1')).toEqual(session({ acctSessionId: '1' }));
        expect(await store.countByIdentity('bob')).toBe(0);
        expect(await store.countByIdentity('alice')).toBe(2);
        expect(await store.closeByNas('tenant-1', '192.0.2.10')).toEqual([]);
        expect(await store.countByTenant()).toEqual(new Map([['tenant-1', 1], ['tenant-2', 1]]));
      });

      it('stale lists sessions updated strictly before the cut-off, oldest first, up to a limit', async () => {
        for (let i = 0; i < 5; i++) await store.start(session({ acctSessionId: `s${i}`, updatedAt: new Date(T0 + i * 1000) }));
        await store.touch(session({ acctSessionId: 's0' }), { updatedAt: new Date(T0 + 10_000), sessionTime: 10, inputOctets: 0, outputOctets: 0 });
        const stale = await fx.b.stale(new Date(T0 + 4000));
        expect(stale.map((s) => s.acctSessionId)).toEqual(['s1', 's2', 's3']);
        expect((await store.stale(new Date(T0 + 4000), 2)).map((s) => s.acctSessionId)).toEqual(['s1', 's2']);
        // Read-only: still live.
        expect(await store.countByIdentity('alice')).toBe(5);
      });
    });

    describe('tryReserve (Simultaneous-Use between Access-Accept and Accounting Start)', () => {
      const reserve = (s: LiveSessionStore, device: Mac | null, limit = 1, ttlMs = 60_000) =>
        s.tryReserve({ identityId: 'alice', limit, ttlMs, callingStationId: device });

      it('counts live sessions plus pending reservations against the limit', async () => {
        expect(await reserve(store, MAC_A, 2)).toBe(true);
        expect(await reserve(fx.b, MAC_B, 2)).toBe(true);
        expect(await reserve(store, 'aa:bb:cc:00:00:03' as Mac, 2)).toBe(false);
        expect(await reserve(store, null, 2)).toBe(false);
        // Another identity is unaffected.
        expect(await store.tryReserve({ identityId: 'bob', limit: 1, ttlMs: 60_000 })).toBe(true);
      });

      it('a live session of another device takes the slot', async () => {
        await store.start(session({ callingStationId: MAC_B }));
        expect(await reserve(store, MAC_A)).toBe(false);
        expect(await reserve(store, MAC_A, 2)).toBe(true);
      });

      it('a limit of zero or less never reserves', async () => {
        expect(await reserve(store, MAC_A, 0)).toBe(false);
        expect(await reserve(store, MAC_A, -1)).toBe(false);
      });

      it('a reservation lapses after its ttl', async () => {
        expect(await reserve(store, MAC_A, 1, 30_000)).toBe(true);
        clock.advance(29_999);
        expect(await reserve(fx.b, MAC_B, 1, 30_000)).toBe(false);
        clock.advance(1);
        expect(await reserve(fx.b, MAC_B, 1, 30_000)).toBe(true);
      });

      it('a device is not counted against itself, and reserving again refreshes its one reservation', async () => {
        await store.start(session({ callingStationId: MAC_A }));
        // 802.1X re-authentication of the device already online.
        expect(await reserve(store, MAC_A)).toBe(true);
        clock.advance(50_000);
        expect(await reserve(fx.b, MAC_A)).toBe(true);
        expect(await reserve(store, MAC_B, 2)).toBe(false); // live A + reserved A
        clock.advance(50_000); // past the first reservation's end, not the refreshed one's
        expect(await reserve(store, MAC_B, 2)).toBe(false);
        clock.advance(10_001);
        expect(await reserve(store, MAC_B, 2)).toBe(true);
      });

      it('Accounting Start consumes the reservation of its device', async () => {
        expect(await reserve(store, MAC_A, 2)).toBe(true);
        expect(await reserve(store, MAC_B, 2)).toBe(true);
        await fx.b.start(session({ callingStationId: MAC_A }));
        // live A + reserved B: full; once B starts, still 2.
        expect(await reserve(store, 'aa:bb:cc:00:00:03' as Mac, 2)).toBe(false);
        await store.start(session({ acctSessionId: 'S-B', callingStationId: MAC_B }));
        expect(await store.countByIdentity('alice')).toBe(2);
        await store.stop(session());
        expect(await reserve(store, 'aa:bb:cc:00:00:03' as Mac, 2)).toBe(true);
      });

      it('a Start from an unknown device consumes the oldest reservation', async () => {
        expect(await reserve(store, null, 2)).toBe(true);
        clock.advance(1000);
        expect(await reserve(store, null, 2)).toBe(true);
        await store.start(session({ callingStationId: null }));
        // one live + one pending
        expect(await reserve(store, null, 2)).toBe(false);
        clock.advance(59_000); // the oldest would have lapsed now; the younger still holds
        expect(await reserve(store, null, 2)).toBe(false);
        clock.advance(1000);
        expect(await reserve(store, null, 2)).toBe(true);
      });

      it('of many concurrent reservations on two nodes, exactly `limit` succeed', async () => {
        const limit = 5;
        const attempts = Array.from({ length: 60 }, (_, i) =>
          (i % 2 ? fx.b : store).tryReserve({
            identityId: 'alice',
            limit,
            ttlMs: 60_000,
            callingStationId: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}` as Mac,
          }),
        );
        const results = await Promise.all(attempts);
        expect(results.filter(Boolean)).toHaveLength(limit);
      });
    });
  });
}
