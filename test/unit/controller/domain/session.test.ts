import { describe, expect, it } from 'vitest';
import type { AccountingRecord, Session } from '../../../../controller/domain/entities.js';
import type { Mac } from '../../../../controller/domain/mac.js';
import { applyAccounting } from '../../../../controller/domain/session.js';

const T0 = new Date('2025-03-01T08:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const newId = () => 'new-id';

const rec = (over: Partial<AccountingRecord> & Pick<AccountingRecord, 'statusType'>): AccountingRecord => ({
  tenantId: 't-1',
  acctSessionId: 'sess-1',
  nasIp: '192.0.2.10',
  nasAddress: '198.51.100.20',
  nasIdentifier: 'gw-1',
  username: 'alice',
  identityId: 'id-alice',
  callingStationId: '02:00:00:00:00:01' as Mac,
  calledStationId: 'AA-BB-CC-00-00-01:Wifi',
  apId: 'ap-1',
  framedIp: '10.0.0.2',
  sessionTime: 0,
  inputOctets: 0,
  outputOctets: 0,
  terminateCause: null,
  eventAt: T0,
  receivedAt: T0,
  natMappings: [],
  ...over,
});

const started = (): Session => applyAccounting(null, rec({ statusType: 'start' }), newId)!;

describe('applyAccounting (RFC 2866 §5.1 Acct-Status-Type)', () => {
  it('opens an active session on Start', () => {
    expect(started()).toEqual({
      id: 'new-id',
      tenantId: 't-1',
      acctSessionId: 'sess-1',
      nasIp: '192.0.2.10',
      nasAddress: '198.51.100.20',
      nasIdentifier: 'gw-1',
      identityId: 'id-alice',
      username: 'alice',
      callingStationId: '02:00:00:00:00:01',
      calledStationId: 'AA-BB-CC-00-00-01:Wifi',
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

  it('opens a session from an Interim-Update whose Start was lost, dated back by Acct-Session-Time', () => {
    const s = applyAccounting(null, rec({ statusType: 'interim', eventAt: at(600), sessionTime: 600, inputOctets: 5 }), newId);
    expect(s).toMatchObject({ status: 'active', startedAt: T0, updatedAt: at(600), sessionTime: 600, inputOctets: 5 });
  });

  it('records a lone Stop as a stopped session', () => {
    const s = applyAccounting(null, rec({ statusType: 'stop', eventAt: at(60), sessionTime: 60, terminateCause: 'User-Request' }), newId);
    expect(s).toMatchObject({ status: 'stopped', startedAt: T0, stoppedAt: at(60), terminateCause: 'User-Request' });
  });

  it('moves counters and updatedAt on Interim-Update', () => {
    const s = applyAccounting(
      started(),
      rec({ statusType: 'interim', eventAt: at(600), sessionTime: 600, inputOctets: 100, outputOctets: 200, framedIp: '10.0.0.9' }),
      newId,
    );
    expect(s).toEqual({ ...started(), updatedAt: at(600), sessionTime: 600, inputOctets: 100, outputOctets: 200, framedIp: '10.0.0.9' });
  });

  it('follows the NAS to its latest source address (RFC 5176 §3), keeping the last known when a record has none', () => {
    const moved = applyAccounting(started(), rec({ statusType: 'interim', eventAt: at(600), nasAddress: '198.51.100.21' }), newId)!;
    expect(moved.nasAddress).toBe('198.51.100.21');
    const kept = applyAccounting(moved, rec({ statusType: 'interim', eventAt: at(1200), nasAddress: null }), newId)!;
    expect(kept.nasAddress).toBe('198.51.100.21');
  });

  it('closes on Stop with its cause', () => {
    const s = applyAccounting(started(), rec({ statusType: 'stop', eventAt: at(900), sessionTime: 900, terminateCause: 'Idle-Timeout' }), newId);
    expect(s).toMatchObject({ id: 'new-id', status: 'stopped', stoppedAt: at(900), updatedAt: at(900), sessionTime: 900, terminateCause: 'Idle-Timeout' });
  });

  it('never shrinks counters (a NAS that restarted counting)', () => {
    const s1 = applyAccounting(started(), rec({ statusType: 'interim', eventAt: at(600), sessionTime: 600, inputOctets: 1000, outputOctets: 1000 }), newId)!;
    const s2 = applyAccounting(s1, rec({ statusType: 'interim', eventAt: at(1200), sessionTime: 30, inputOctets: 10, outputOctets: 2000 }), newId);
    expect(s2).toMatchObject({ sessionTime: 600, inputOctets: 1000, outputOctets: 2000, updatedAt: at(1200) });
  });

  it('does not move updatedAt back for a reordered, older record', () => {
    const s1 = applyAccounting(started(), rec({ statusType: 'interim', eventAt: at(1200), sessionTime: 1200 }), newId)!;
    const s2 = applyAccounting(s1, rec({ statusType: 'interim', eventAt: at(600), sessionTime: 600 }), newId);
    expect(s2).toMatchObject({ updatedAt: at(1200), sessionTime: 1200 });
  });

  it('keeps a late Interim-Update after the Stop from reopening the session, but keeps larger counters', () => {
    const stopped = applyAccounting(started(), rec({ statusType: 'stop', eventAt: at(900), sessionTime: 900, inputOctets: 10, terminateCause: 'User-Request' }), newId)!;
    const late = applyAccounting(stopped, rec({ statusType: 'interim', eventAt: at(600), sessionTime: 600, inputOctets: 50 }), newId);
    expect(late).toEqual({ ...stopped, inputOctets: 50 });
  });

  it('keeps the first identity and AP it learnt', () => {
    const anonymous = applyAccounting(null, rec({ statusType: 'start', identityId: null, apId: null }), newId)!;
    const s1 = applyAccounting(anonymous, rec({ statusType: 'interim', eventAt: at(60), identityId: 'id-1', apId: 'ap-1' }), newId)!;
    const s2 = applyAccounting(s1, rec({ statusType: 'interim', eventAt: at(120), identityId: 'id-2', apId: 'ap-2' }), newId);
    expect(s2).toMatchObject({ identityId: 'id-1', apId: 'ap-1' });
  });

  it.each(['accounting-on', 'accounting-off'] as const)('leaves the session to the store on %s', (statusType) => {
    const s = started();
    expect(applyAccounting(s, rec({ statusType }), newId)).toBe(s);
    expect(applyAccounting(null, rec({ statusType }), newId)).toBeNull();
  });

  it('mints an id only for a new session', () => {
    let n = 0;
    const mint = () => `id-${++n}`;
    const s = applyAccounting(null, rec({ statusType: 'start' }), mint)!;
    applyAccounting(s, rec({ statusType: 'interim', eventAt: at(60) }), mint);
    expect(s.id).toBe('id-1');
    expect(n).toBe(1);
  });

  describe('a key that comes back after its session stopped (RFC 2866 §5.5: unique "over a reasonable time")', () => {
    let n = 0;
    const mint = () => `id-${++n}`;
    /** The NAS's first connection on the key: Start at T0, Stop at 15 min with its counters. */
    const ended = (): Session => {
      const s = applyAccounting(null, rec({ statusType: 'start' }), mint)!;
      return applyAccounting(
        s,
        rec({ statusType: 'stop', eventAt: at(900), sessionTime: 900, inputOctets: 5000, outputOctets: 9000, terminateCause: 'NAS-Reboot' }),
        mint,
      )!;
    };

    it('treats a Start for an already stopped session key as a new session', () => {
      const old = ended();
      const fresh = applyAccounting(old, rec({ statusType: 'start', eventAt: at(960), framedIp: '10.0.0.7', identityId: 'id-bob', username: 'bob' }), mint);
      expect(fresh).toEqual({
        ...old,
        id: expect.any(String),
        identityId: 'id-bob',
        username: 'bob',
        framedIp: '10.0.0.7',
        startedAt: at(960),
        updatedAt: at(960),
        stoppedAt: null,
        sessionTime: 0,
        inputOctets: 0,
        outputOctets: 0,
        terminateCause: null,
        status: 'active',
      });
      expect(fresh!.id).not.toBe(old.id);
    });

    it('merges a retransmitted or reordered Start dated at or before the stop: same session, still stopped, counters kept', () => {
      const old = ended();
      for (const eventAt of [T0, at(600), at(900)]) {
        expect(applyAccounting(old, rec({ statusType: 'start', eventAt }), mint)).toEqual(old);
      }
    });

    it('opens a new session from an Interim-Update whose implied start is after the stop (the new Start was lost)', () => {
      const old = ended();
      const fresh = applyAccounting(old, rec({ statusType: 'interim', eventAt: at(1500), sessionTime: 300, inputOctets: 70, outputOctets: 80 }), mint);
      expect(fresh).toMatchObject({ status: 'active', startedAt: at(1200), updatedAt: at(1500), stoppedAt: null, sessionTime: 300, inputOctets: 70, outputOctets: 80 });
      expect(fresh!.id).not.toBe(old.id);
    });

    it('records a Stop whose implied start is after the stop as a new session, already stopped', () => {
      const old = ended();
      const fresh = applyAccounting(old, rec({ statusType: 'stop', eventAt: at(1500), sessionTime: 120, inputOctets: 7, terminateCause: 'User-Request' }), mint);
      expect(fresh).toMatchObject({ status: 'stopped', startedAt: at(1380), stoppedAt: at(1500), inputOctets: 7, terminateCause: 'User-Request' });
      expect(fresh!.id).not.toBe(old.id);
    });

    it('merges a late Interim-Update of the old connection, even one received after the stop: counters never shrink', () => {
      const old = ended();
      // Dated after the stop, but Acct-Session-Time puts its start at T0 + 60 s, within the old session.
      const late = applyAccounting(old, rec({ statusType: 'interim', eventAt: at(1000), sessionTime: 940, inputOctets: 6000, outputOctets: 10 }), mint);
      // updatedAt follows it: the latest record the session applied (the legal log's purge relies on it).
      expect(late).toEqual({ ...old, updatedAt: at(1000), sessionTime: 940, inputOctets: 6000 });
      // An implied start exactly at the stop is still the old connection.
      expect(applyAccounting(old, rec({ statusType: 'interim', eventAt: at(1000), sessionTime: 100 }), mint)).toEqual({ ...old, updatedAt: at(1000) });
    });

    it('keeps moving the new session once opened, and leaves the old one as it was', () => {
      const old = ended();
      const fresh = applyAccounting(old, rec({ statusType: 'start', eventAt: at(960) }), mint)!;
      const moved = applyAccounting(fresh, rec({ statusType: 'interim', eventAt: at(1560), sessionTime: 600, inputOctets: 10 }), mint)!;
      expect(moved).toMatchObject({ id: fresh.id, status: 'active', startedAt: at(960), inputOctets: 10 });
      // Its Start retransmitted: merged into it, not a third session.
      expect(applyAccounting(moved, rec({ statusType: 'start', eventAt: at(960) }), mint)).toEqual(moved);
    });

    it('ignores a late copy of the old connection’s Stop or Interim, dated before the new one began: the new session stays open', () => {
      const old = ended();
      const fresh = applyAccounting(old, rec({ statusType: 'start', eventAt: at(1800) }), mint)!;
      // The old Stop and an old Interim, retransmitted past the duplicate cache's window, dated before the new connection began.
      const oldStop = rec({ statusType: 'stop', eventAt: at(900), sessionTime: 900, inputOctets: 5000, outputOctets: 9000, terminateCause: 'NAS-Reboot' });
      expect(applyAccounting(fresh, oldStop, mint)).toBe(fresh);
      expect(applyAccounting(fresh, rec({ statusType: 'interim', eventAt: at(1799), sessionTime: 1700, inputOctets: 1 }), mint)).toBe(fresh);
      // The new connection's own Stop closes it, even when its Acct-Session-Time counts from before the Start (gateways differ).
      expect(applyAccounting(fresh, rec({ statusType: 'stop', eventAt: at(2400), sessionTime: 600 }), mint)).toMatchObject({ id: fresh.id, status: 'stopped' });
      expect(applyAccounting(fresh, rec({ statusType: 'stop', eventAt: at(2400), sessionTime: 2400 }), mint)).toMatchObject({ id: fresh.id, status: 'stopped', sessionTime: 2400 });
    });

    it('mints no id for a record it merges', () => {
      const old = ended();
      const before = n;
      applyAccounting(old, rec({ statusType: 'start', eventAt: at(900) }), mint);
      applyAccounting(old, rec({ statusType: 'stop', eventAt: at(900), sessionTime: 900 }), mint);
      expect(n).toBe(before);
    });
  });
});
