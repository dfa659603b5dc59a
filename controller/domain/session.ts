/**
 * How accounting records move a session (RFC 2866 §5.1 Acct-Status-Type).
 * Pure: the stores call this inside their transaction.
 */
import type { AccountingRecord, Session } from './entities.js';

/**
 * Counters only grow within a session; a NAS that restarts counting (or a
 * reordered Interim after Stop) must not shrink what was already billed.
 */
export function applyAccounting(current: Session | null, rec: AccountingRecord, newId: () => string): Session | null {
  if (rec.statusType === 'accounting-on' || rec.statusType === 'accounting-off') return current;
  const stopped = rec.statusType === 'stop';
  if (!current) {
    const startedAt = rec.statusType === 'start' ? rec.eventAt : new Date(rec.eventAt.getTime() - rec.sessionTime * 1000);
    return {
      id: newId(),
      tenantId: rec.tenantId,
      acctSessionId: rec.acctSessionId,
      nasIp: rec.nasIp,
      nasAddress: rec.nasAddress,
      nasIdentifier: rec.nasIdentifier,
      identityId: rec.identityId,
      username: rec.username,
      callingStationId: rec.callingStationId,
      calledStationId: rec.calledStationId,
      apId: rec.apId,
      framedIp: rec.framedIp,
      startedAt,
      updatedAt: rec.eventAt,
      stoppedAt: stopped ? rec.eventAt : null,
      sessionTime: rec.sessionTime,
      inputOctets: rec.inputOctets,
      outputOctets: rec.outputOctets,
      terminateCause: rec.terminateCause,
      status: stopped ? 'stopped' : 'active',
    };
  }
  if (current.status === 'stopped' && !stopped) {
    // A late Interim-Update after the Stop: keep the larger counters, stay stopped.
    return mergeCounters(current, rec);
  }
  const merged = mergeCounters(current, rec);
  return {
    ...merged,
    identityId: current.identityId ?? rec.identityId,
    framedIp: rec.framedIp ?? current.framedIp,
    nasAddress: rec.nasAddress ?? current.nasAddress,
    apId: current.apId ?? rec.apId,
    updatedAt: rec.eventAt > current.updatedAt ? rec.eventAt : current.updatedAt,
    stoppedAt: stopped ? rec.eventAt : current.stoppedAt,
    terminateCause: stopped ? rec.terminateCause : current.terminateCause,
    status: stopped ? 'stopped' : current.status,
  };
}

function mergeCounters(s: Session, rec: AccountingRecord): Session {
  return {
    ...s,
    sessionTime: Math.max(s.sessionTime, rec.sessionTime),
    inputOctets: Math.max(s.inputOctets, rec.inputOctets),
    outputOctets: Math.max(s.outputOctets, rec.outputOctets),
  };
}
