import type { AccountingRecord, Session } from '../../domain/entities.js';
import { applyAccounting } from '../../domain/session.js';
import type { AccountingStore } from '../../ports/stores.js';
import { num, text } from './columns.js';
import { uniqueViolation } from './constraints.js';
import type { PgDatabase, Sql } from './database.js';
import type { PgDeps } from './deps.js';
import { SESSION_COLUMNS, toSession, type SessionRow } from './session-rows.js';
import { unnest, type Column } from './unnest.js';

/** RFC 2866 §5.10 Acct-Terminate-Cause 11 (NAS-Reboot). */
export const NAS_REBOOT = 'NAS-Reboot';

const RECORD_COLUMNS: readonly Column<AccountingRecord>[] = [
  { name: 'tenant_id', type: 'text', get: (r) => r.tenantId },
  { name: 'status_type', type: 'text', get: (r) => r.statusType },
  { name: 'acct_session_id', type: 'text', get: (r) => r.acctSessionId },
  { name: 'nas_ip', type: 'text', get: (r) => r.nasIp },
  { name: 'nas_identifier', type: 'text', get: (r) => r.nasIdentifier },
  { name: 'username', type: 'text', get: (r) => r.username },
  { name: 'identity_id', type: 'text', get: (r) => r.identityId },
  { name: 'calling_station_id', type: 'text', get: (r) => r.callingStationId },
  { name: 'called_station_id', type: 'text', get: (r) => r.calledStationId },
  { name: 'ap_id', type: 'text', get: (r) => r.apId },
  { name: 'framed_ip', type: 'text', get: (r) => r.framedIp },
  { name: 'session_time', type: 'bigint', get: (r) => r.sessionTime },
  { name: 'input_octets', type: 'bigint', get: (r) => r.inputOctets },
  { name: 'output_octets', type: 'bigint', get: (r) => r.outputOctets },
  { name: 'terminate_cause', type: 'text', get: (r) => r.terminateCause },
  { name: 'event_at', type: 'timestamptz', get: (r) => r.eventAt },
  { name: 'received_at', type: 'timestamptz', get: (r) => r.receivedAt },
];

/** What accounting may change in a session; the key (tenant, NAS IP, Acct-Session-Id) never changes. */
const MOVING: readonly Column<Session>[] = [
  { name: 'nas_identifier', type: 'text', get: (s) => s.nasIdentifier },
  { name: 'identity_id', type: 'text', get: (s) => s.identityId },
  { name: 'username', type: 'text', get: (s) => s.username },
  { name: 'calling_station_id', type: 'text', get: (s) => s.callingStationId },
  { name: 'called_station_id', type: 'text', get: (s) => s.calledStationId },
  { name: 'ap_id', type: 'text', get: (s) => s.apId },
  { name: 'framed_ip', type: 'text', get: (s) => s.framedIp },
  { name: 'started_at', type: 'timestamptz', get: (s) => s.startedAt },
  { name: 'updated_at', type: 'timestamptz', get: (s) => s.updatedAt },
  { name: 'stopped_at', type: 'timestamptz', get: (s) => s.stoppedAt },
  { name: 'session_time', type: 'bigint', get: (s) => s.sessionTime },
  { name: 'input_octets', type: 'bigint', get: (s) => s.inputOctets },
  { name: 'output_octets', type: 'bigint', get: (s) => s.outputOctets },
  { name: 'terminate_cause', type: 'text', get: (s) => s.terminateCause },
  { name: 'status', type: 'text', get: (s) => s.status },
];

const SESSION_ALL: readonly Column<Session>[] = [
  { name: 'id', type: 'text', get: (s) => s.id },
  { name: 'tenant_id', type: 'text', get: (s) => s.tenantId },
  { name: 'nas_ip', type: 'text', get: (s) => s.nasIp },
  { name: 'acct_session_id', type: 'text', get: (s) => s.acctSessionId },
  ...MOVING,
];

/** The strings a NAS sent, as PostgreSQL can hold them (columns.ts `text`). */
function storableRecord(r: AccountingRecord): AccountingRecord {
  return {
    ...r,
    acctSessionId: text(r.acctSessionId),
    nasIp: text(r.nasIp),
    nasIdentifier: text(r.nasIdentifier),
    // A missing username must still fail NOT NULL, not be turned into text.
    username: typeof r.username === 'string' ? text(r.username) : r.username,
    calledStationId: text(r.calledStationId),
    framedIp: text(r.framedIp),
    terminateCause: text(r.terminateCause),
  };
}

const keyOf = (tenantId: string, nasIp: string, acctSessionId: string): string => JSON.stringify([tenantId, nasIp, acctSessionId]);
const movesSession = (r: AccountingRecord): boolean => r.statusType !== 'accounting-on' && r.statusType !== 'accounting-off';

interface Slot {
  /** As read (and locked) at the start of the transaction; null when the session is new. */
  readonly stored: Session | null;
  current: Session | null;
}

/**
 * The RADIUS server's group commit on PostgreSQL: a batch of
 * Accounting-Requests becomes durable in one transaction (one WAL flush with
 * synchronous_commit on), raw records and the sessions they move together,
 * in a fixed number of round trips whatever the batch size:
 *
 *  1. insert every raw record (one statement);
 *  2. read and lock (FOR UPDATE) the batch's existing sessions, in key order,
 *     so two nodes locking overlapping batches cannot deadlock on them;
 *  3. apply the records in order with the pure `applyAccounting`, in memory;
 *     an Accounting-On/Off also closes that NAS's other sessions in the table;
 *  4. insert the new sessions, update the moved ones (one statement each).
 *
 * A session another node creates between steps 2 and 4 makes step 4's insert
 * fail on the session key: the transaction starts over and now finds (and
 * locks) it. Deadlocks (an Accounting-On against a busy NAS) and
 * serialization failures start over too. Any other failure (a NOT NULL or
 * CHECK violation, an unknown tenant) rolls the whole batch back, so none of
 * it is acknowledged and the NAS retransmits (RFC 2866 §4.1).
 */
export function createPgAccountingStore(db: PgDatabase, deps: PgDeps): AccountingStore {
  const records = db.table('accounting_records');
  const sessions = db.table('sessions');

  const insertRecords = async (tx: Sql, batch: readonly AccountingRecord[]): Promise<void> => {
    const u = unnest(RECORD_COLUMNS, batch);
    await tx.query(`INSERT INTO ${records} (${u.names}) SELECT ${u.names} FROM ${u.from} ORDER BY v.ord`, u.binds);
  };

  const lockSessions = async (tx: Sql, batch: readonly AccountingRecord[]): Promise<Map<string, Slot>> => {
    const slots = new Map<string, Slot>();
    const keys = batch.filter(movesSession);
    if (keys.length === 0) return slots;
    const { rows } = await tx.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM ${sessions}
       WHERE (tenant_id, nas_ip, acct_session_id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
       ORDER BY tenant_id, nas_ip, acct_session_id
       FOR UPDATE`,
      [keys.map((r) => r.tenantId), keys.map((r) => r.nasIp), keys.map((r) => r.acctSessionId)],
    );
    for (const row of rows) {
      const s = toSession(row);
      slots.set(keyOf(s.tenantId, s.nasIp, s.acctSessionId), { stored: s, current: s });
    }
    return slots;
  };

  // Accounting-On/Off: the NAS lost (or is about to lose) every session it had
  // started before the event. Sessions started later belong to its new life.
  // Gateways behind one NAT share an address: a NAS-Identifier, when sent, is the narrower key.
  const closeNas = async (tx: Sql, rec: AccountingRecord, slots: Map<string, Slot>): Promise<void> => {
    const byIdentifier = rec.nasIdentifier !== null;
    await tx.query(
      `UPDATE ${sessions} SET status = 'stopped', stopped_at = $3, terminate_cause = '${NAS_REBOOT}'
       WHERE tenant_id = $1 AND ${byIdentifier ? 'nas_identifier' : 'nas_ip'} = $2 AND status = 'active' AND started_at <= $3`,
      [rec.tenantId, byIdentifier ? rec.nasIdentifier : rec.nasIp, rec.eventAt],
    );
    // The same rule on this batch's sessions, whose table rows step 4 overwrites.
    for (const slot of slots.values()) {
      const s = slot.current;
      if (!s || s.tenantId !== rec.tenantId || s.status !== 'active' || !(s.startedAt.getTime() <= rec.eventAt.getTime())) continue;
      if (byIdentifier ? s.nasIdentifier !== rec.nasIdentifier : s.nasIp !== rec.nasIp) continue;
      slot.current = { ...s, status: 'stopped', stoppedAt: rec.eventAt, terminateCause: NAS_REBOOT };
    }
  };

  const writeSessions = async (tx: Sql, slots: Map<string, Slot>): Promise<void> => {
    const created: Session[] = [];
    const moved: Session[] = [];
    for (const { stored, current } of slots.values()) {
      if (!current || current === stored) continue;
      (stored ? moved : created).push(current);
    }
    if (created.length > 0) {
      const u = unnest(SESSION_ALL, created);
      await tx.query(`INSERT INTO ${sessions} (${u.names}) SELECT ${u.names} FROM ${u.from} ORDER BY v.ord`, u.binds);
    }
    if (moved.length > 0) {
      const u = unnest([{ name: 'id', type: 'text', get: (s: Session) => s.id }, ...MOVING], moved);
      const set = MOVING.map((c) => `${c.name} = v.${c.name}`).join(', ');
      await tx.query(`UPDATE ${sessions} AS s SET ${set} FROM ${u.from} WHERE s.id = v.id`, u.binds);
    }
  };

  const record = async (tx: Sql, batch: readonly AccountingRecord[]): Promise<void> => {
    await insertRecords(tx, batch);
    const slots = await lockSessions(tx, batch);
    for (const rec of batch) {
      if (!movesSession(rec)) {
        await closeNas(tx, rec, slots);
        continue;
      }
      const key = keyOf(rec.tenantId, rec.nasIp, rec.acctSessionId);
      let slot = slots.get(key);
      if (!slot) slots.set(key, (slot = { stored: null, current: null }));
      slot.current = applyAccounting(slot.current, rec, deps.newId);
    }
    await writeSessions(tx, slots);
  };

  return {
    async record(batch) {
      if (batch.length === 0) return;
      const stored = batch.map(storableRecord);
      await db.transaction((tx) => record(tx, stored), {
        attempts: 5,
        // Another node created one of this batch's new sessions first.
        retryable: (e) => uniqueViolation(e) === 'sessions_key',
      });
    },
    async count() {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${records}`);
      return num(rows[0]?.n ?? 0);
    },
  };
}
