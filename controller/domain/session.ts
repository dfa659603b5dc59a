/**
 * How accounting records move a session (RFC 2866 §5.1 Acct-Status-Type).
 * Pure: the stores call this inside their transaction.
 */
import type { AccountingRecord, Session } from './entities.js';

/**
 * Applies one record to the latest session of its key (tenant, NAS IP,
 * Acct-Session-Id), or to none. Returns the session as it now is: the same
 * id when the record moved `current`, a new id when it opened a new session
 * (the store then inserts it and leaves `current` as it was).
 *
 * Counters only grow within a session; a NAS that restarts counting (or a
 * reordered Interim after Stop) must not shrink what was already billed.
 * updatedAt is the time of the latest record applied, whatever its order:
 * with startedAt it bounds the records a session owns (the legal log's purge
 * relies on it).
 *
 * A key is only unique "over a reasonable time" (RFC 2866 §5.5): many
 * gateways restart their Acct-Session-Id counter when they reboot, so a key
 * whose session has stopped may come back for a new connection. Records are
 * also retransmitted and reordered (RFC 2866 §4.1, RFC 5080 §2.2.2), so a
 * late copy of the old connection's records must not open one. The line
 * between the two is the stopped session's stop time:
 *  - a Start dated strictly after it opens a new session; one dated at or
 *    before it is a retransmitted or reordered Start of the stopped one;
 *  - an Interim-Update or Stop whose implied start (its time minus
 *    Acct-Session-Time) is strictly after it is the new connection whose
 *    Start was lost (a Stop then records it already stopped); otherwise it
 *    is a late record of the stopped one.
 * A key therefore has at most one active session. A record for an active
 * session moves it, unless it is dated before that session began: then it
 * is a copy of an earlier connection's record arriving after the key was
 * reused (a retransmission past the duplicate cache's window, whose
 * Acct-Delay-Time dates it back, RFC 2866 §5.2), which must not close or
 * inflate the new connection. The raw record is kept all the same. Only the
 * record's own time is compared, never its Acct-Session-Time: gateways
 * differ in when they start counting it, and a genuine Stop ignored would
 * leave the session to the reaper.
 */
export function applyAccounting(current: Session | null, rec: AccountingRecord, newId: () => string): Session | null {
  if (rec.statusType === 'accounting-on' || rec.statusType === 'accounting-off') return current;
  const stopped = rec.statusType === 'stop';
  if (!current || opensNewSession(current, rec)) return openSession(rec, newId);
  if (belongsToEarlierConnection(current, rec)) return current;
  if (current.status === 'stopped' && !stopped) {
    // A late Interim-Update (or Start) after the Stop: keep the larger counters, stay stopped.
    return { ...mergeCounters(current, rec), updatedAt: latest(current.updatedAt, rec.eventAt) };
  }
  const merged = mergeCounters(current, rec);
  return {
    ...merged,
    identityId: current.identityId ?? rec.identityId,
    framedIp: rec.framedIp ?? current.framedIp,
    nasAddress: rec.nasAddress ?? current.nasAddress,
    apId: current.apId ?? rec.apId,
    updatedAt: latest(current.updatedAt, rec.eventAt),
    stoppedAt: stopped ? rec.eventAt : current.stoppedAt,
    terminateCause: stopped ? rec.terminateCause : current.terminateCause,
    status: stopped ? 'stopped' : current.status,
  };
}

/** When the connection a record reports began: a Start's own time, else its time less Acct-Session-Time. */
export function impliedStart(rec: AccountingRecord): Date {
  return rec.statusType === 'start' ? rec.eventAt : new Date(rec.eventAt.getTime() - rec.sessionTime * 1000);
}

function belongsToEarlierConnection(current: Session, rec: AccountingRecord): boolean {
  if (current.status !== 'active' || rec.statusType === 'start') return false;
  return rec.eventAt.getTime() < current.startedAt.getTime();
}

/** RFC 2866 §5.5: the key came back, after its session stopped, for a connection that began later. */
function opensNewSession(current: Session, rec: AccountingRecord): boolean {
  if (current.status !== 'stopped' || current.stoppedAt === null) return false;
  return impliedStart(rec).getTime() > current.stoppedAt.getTime();
}

function openSession(rec: AccountingRecord, newId: () => string): Session {
  const stopped = rec.statusType === 'stop';
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
    startedAt: impliedStart(rec),
    updatedAt: rec.eventAt,
    stoppedAt: stopped ? rec.eventAt : null,
    sessionTime: rec.sessionTime,
    inputOctets: rec.inputOctets,
    outputOctets: rec.outputOctets,
    terminateCause: rec.terminateCause,
    status: stopped ? 'stopped' : 'active',
  };
}

const latest = (a: Date, b: Date): Date => (b > a ? b : a);

function mergeCounters(s: Session, rec: AccountingRecord): Session {
  return {
    ...s,
    sessionTime: Math.max(s.sessionTime, rec.sessionTime),
    inputOctets: Math.max(s.inputOctets, rec.inputOctets),
    outputOctets: Math.max(s.outputOctets, rec.outputOctets),
  };
}
