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

  // Reported to the domain's owner: NASes that restart Acct-Session-Id
  // numbering after a reboot reuse a key whose session is already stopped;
  // today the new Start is merged into the stopped session and never shows as active.
  it.todo('treats a Start for an already stopped session key as a new session');
});
