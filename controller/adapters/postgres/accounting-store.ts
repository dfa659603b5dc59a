import { createHash } from 'node:crypto';
import type { AccountingRecord, Session } from '../../domain/entities.js';
import { applyAccounting } from '../../domain/session.js';
import type { NewNatMapping } from '../../ports/legal-log.js';
import type { AccountingOutcome, AccountingStore } from '../../ports/stores.js';
import { emptyOutcome, OutcomeBuilder } from '../accounting-rules.js';
import { natMappingsOfRecord } from '../legal-rules.js';
import { num, text } from './columns.js';
import { uniqueViolation } from './constraints.js';
import type { PgDatabase, Sql } from './database.js';
import type { PgDeps } from './deps.js';
import { SESSION_COLUMNS, SESSION_ORDER, toSession, type SessionRow } from './session-rows.js';
import { unnest, type Column } from './unnest.js';

/** RFC 2866 §5.10 Acct-Terminate-Cause 11 (NAS-Reboot). */
export const NAS_REBOOT = 'NAS-Reboot';

const RECORD_COLUMNS: readonly Column<AccountingRecord>[] = [
  { name: 'tenant_id', type: 'text', get: (r) => r.tenantId },
  { name: 'status_type', type: 'text', get: (r) => r.statusType },
  { name: 'acct_session_id', type: 'text', get: (r) => r.acctSessionId },
  { name: 'nas_ip', type: 'text', get: (r) => r.nasIp },
  { name: 'nas_address', type: 'text', get: (r) => r.nasAddress },
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
  { name: 'nas_address', type: 'text', get: (s) => s.nasAddress },
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
    nasAddress: text(r.nasAddress),
    nasIdentifier: text(r.nasIdentifier),
    // A missing username must still fail NOT NULL, not be turned into text.
    username: typeof r.username === 'string' ? text(r.username) : r.username,
    calledStationId: text(r.calledStationId),
    framedIp: text(r.framedIp),
    terminateCause: text(r.terminateCause),
    natMappings: r.natMappings.map((m) => ({ ...m, publicIp: text(m.publicIp), internalIp: text(m.internalIp) })),
  };
}

/** A NAT mapping an accounting record reported, tied to its session. */
interface NatRow extends NewNatMapping {
  readonly id: string;
  readonly tenantId: string;
  readonly sessionId: string;
}

const NAT_COLUMNS: readonly Column<NatRow>[] = [
  { name: 'id', type: 'text', get: (m) => m.id },
  { name: 'tenant_id', type: 'text', get: (m) => m.tenantId },
  { name: 'session_id', type: 'text', get: (m) => m.sessionId },
  { name: 'internal_ip', type: 'text', get: (m) => m.internalIp },
  { name: 'public_ip', type: 'text', get: (m) => m.publicIp },
  { name: 'port_start', type: 'bigint', get: (m) => m.portStart },
  { name: 'port_end', type: 'bigint', get: (m) => m.portEnd },
  { name: 'started_at', type: 'timestamptz', get: (m) => m.startedAt },
];

/** What one attempt of the transaction gathered besides the sessions. */
interface Effects {
  readonly outcome: OutcomeBuilder;
  readonly nat: NatRow[];
  /** Sessions this batch stopped, and when: their NAT mappings end then. */
  readonly ended: Map<string, Date>;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const keyOf = (r: { tenantId: string; nasIp: string; acctSessionId: string }): string => JSON.stringify([r.tenantId, r.nasIp, r.acctSessionId]);
const movesSession = (r: AccountingRecord): boolean => r.statusType !== 'accounting-on' && r.statusType !== 'accounting-off';

/** First key of the two-key advisory lock space for session keys: "WFCA" (migrations use "WFC1"). */
const KEY_LOCK = 0x57464341;

/** A session key's advisory lock number (a 32-bit hash): a collision only makes two keys wait on each other. */
function lockNumber(key: string): number {
  return createHash('sha256').update(key).digest().readInt32BE(0);
}

/** A session this batch read or opened, as the table had it and as the batch leaves it. */
interface Slot {
  /** As read (and locked) at the start of the transaction; null when the batch opened it. */
  readonly stored: Session | null;
  current: Session;
}

/** What the batch knows of the sessions it moves. */
interface Slots {
  /** Each key's latest session (its id), or none yet. */
  readonly latest: Map<string, string>;
  /** By session id: the keys' latest sessions as read, and the sessions the batch opened. */
  readonly byId: Map<string, Slot>;
}

/**
 * The RADIUS server's group commit on PostgreSQL: a batch of
 * Accounting-Requests becomes durable in one transaction (one WAL flush with
 * synchronous_commit on), raw records and the sessions they move together,
 * in a fixed number of round trips whatever the batch size:
 *
 *  1. insert every raw record (one statement);
 *  2. lock the batch's session keys (transaction-scoped advisory locks, in
 *     one order on every node), then read and lock (FOR UPDATE) each key's
 *     latest session: a key may have older, stopped sessions (a NAS that
 *     reused it, RFC 2866 §5.5), never more than one active;
 *  3. apply the records in order with the pure `applyAccounting`, in memory;
 *     a record may open a new session for a key whose session stopped, which
 *     becomes the key's latest for the rest of the batch; an Accounting-On/Off
 *     also closes that NAS's other sessions in the table;
 *  4. update the moved sessions, insert the new ones (one statement each);
 *  5. store the NAT port blocks the records reported (RFC 8045), in block key
 *     order, a block already stored being left as it is, and end the blocks
 *     of the sessions the batch stopped (one statement each).
 *
 * The key locks serialise batches that touch one key across nodes, whether
 * or not it has a session yet: a row lock cannot guard a session that does
 * not exist, and a stopped session no longer has a unique key to collide on.
 * So two nodes given the Start and the Stop of one new connection write one
 * session, not two. Should a new active session collide anyway (the unique
 * index on active keys), the transaction starts over and finds it. Deadlocks
 * (an Accounting-On against a busy NAS) and serialization failures start
 * over too. Any other failure (a NOT NULL or CHECK violation, an unknown
 * tenant) rolls the whole batch back, so none of it is acknowledged and the
 * NAS retransmits (RFC 2866 §4.1).
 */
export function createPgAccountingStore(db: PgDatabase, deps: PgDeps): AccountingStore {
  const records = db.table('accounting_records');
  const sessions = db.table('sessions');
  const natMappings = db.table('nat_mappings');

  const insertRecords = async (tx: Sql, batch: readonly AccountingRecord[]): Promise<void> => {
    const u = unnest(RECORD_COLUMNS, batch);
    await tx.query(`INSERT INTO ${records} (${u.names}) SELECT ${u.names} FROM ${u.from} ORDER BY v.ord`, u.binds);
  };

  const lockSessions = async (tx: Sql, batch: readonly AccountingRecord[]): Promise<Slots> => {
    const slots: Slots = { latest: new Map(), byId: new Map() };
    const byKey = new Map(batch.filter(movesSession).map((r) => [keyOf(r), r] as const));
    if (byKey.size === 0) return slots;
    const keys = [...byKey.keys()].sort(cmp).map((k) => byKey.get(k)!);
    // One by one in the order of their numbers, the same on every node: two batches cannot wait on each other in a circle.
    // The schema is hashed in too, so that schemas sharing a database hardly ever wait on each other.
    const locks = [...new Set([...byKey.keys()].map((k) => lockNumber(`${sessions} ${k}`)))].sort((a, b) => a - b);
    await tx.query('SELECT pg_advisory_xact_lock($1, k) FROM unnest($2::integer[]) AS k', [KEY_LOCK, locks]);
    const { rows } = await tx.query<SessionRow>(
      `SELECT s.* FROM unnest($1::text[], $2::text[], $3::text[]) AS k(tenant_id, nas_ip, acct_session_id)
       CROSS JOIN LATERAL (
         SELECT ${SESSION_COLUMNS} FROM ${sessions}
         WHERE tenant_id = k.tenant_id AND nas_ip = k.nas_ip AND acct_session_id = k.acct_session_id
         ${SESSION_ORDER} LIMIT 1
         FOR UPDATE) AS s`,
      [keys.map((r) => r.tenantId), keys.map((r) => r.nasIp), keys.map((r) => r.acctSessionId)],
    );
    for (const row of rows) {
      const s = toSession(row);
      slots.latest.set(keyOf(s), s.id);
      slots.byId.set(s.id, { stored: s, current: s });
    }
    return slots;
  };

  // Accounting-On/Off: the NAS lost (or is about to lose) every session it had
  // started before the event. Sessions started later belong to its new life.
  // Gateways behind one NAT share an address: a NAS-Identifier, when sent, is the narrower key.
  const closeNas = async (tx: Sql, rec: AccountingRecord, slots: Slots, effects: Effects): Promise<void> => {
    const byIdentifier = rec.nasIdentifier !== null;
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE ${sessions} SET status = 'stopped', stopped_at = $3, terminate_cause = '${NAS_REBOOT}'
       WHERE tenant_id = $1 AND ${byIdentifier ? 'nas_identifier' : 'nas_ip'} = $2 AND status = 'active' AND started_at <= $3
       RETURNING id`,
      [rec.tenantId, byIdentifier ? rec.nasIdentifier : rec.nasIp, rec.eventAt],
    );
    for (const { id } of rows) effects.ended.set(id, rec.eventAt);
    // The same rule on this batch's sessions, whose table rows step 4 overwrites.
    for (const slot of slots.byId.values()) {
      const s = slot.current;
      if (s.tenantId !== rec.tenantId || s.status !== 'active' || !(s.startedAt.getTime() <= rec.eventAt.getTime())) continue;
      if (byIdentifier ? s.nasIdentifier !== rec.nasIdentifier : s.nasIp !== rec.nasIp) continue;
      slot.current = { ...s, status: 'stopped', stoppedAt: rec.eventAt, terminateCause: NAS_REBOOT };
      effects.ended.set(s.id, rec.eventAt);
    }
  };

  const writeSessions = async (tx: Sql, slots: Slots): Promise<void> => {
    const created: Session[] = [];
    const moved: Session[] = [];
    for (const { stored, current } of slots.byId.values()) {
      if (current === stored) continue;
      (stored ? moved : created).push(current);
    }
    // Moved first: a batch that stops a key's session and opens its next one must not hold two active rows for the key
    // in between (the unique index on active keys is checked at each statement).
    if (moved.length > 0) {
      const u = unnest([{ name: 'id', type: 'text', get: (s: Session) => s.id }, ...MOVING], moved);
      const set = MOVING.map((c) => `${c.name} = v.${c.name}`).join(', ');
      await tx.query(`UPDATE ${sessions} AS s SET ${set} FROM ${u.from} WHERE s.id = v.id`, u.binds);
    }
    if (created.length > 0) {
      const u = unnest(SESSION_ALL, created);
      await tx.query(`INSERT INTO ${sessions} (${u.names}) SELECT ${u.names} FROM ${u.from} ORDER BY v.ord`, u.binds);
    }
  };

  const writeNatMappings = async (tx: Sql, effects: Effects): Promise<void> => {
    if (effects.nat.length > 0) {
      // Key order, as for the sessions: two nodes inserting the same blocks wait on each other in one order.
      const rows = [...effects.nat].sort(
        (a, b) =>
          cmp(a.tenantId, b.tenantId) || cmp(a.publicIp, b.publicIp) || a.portStart - b.portStart || a.startedAt.getTime() - b.startedAt.getTime(),
      );
      const u = unnest(NAT_COLUMNS, rows);
      await tx.query(
        `INSERT INTO ${natMappings} (${u.names}, ended_at, source) SELECT ${u.names}, NULL, 'accounting' FROM ${u.from} ORDER BY v.ord
         ON CONFLICT ON CONSTRAINT nat_mappings_block_key DO NOTHING`,
        u.binds,
      );
    }
    if (effects.ended.size > 0) {
      await tx.query(
        `UPDATE ${natMappings} AS m SET ended_at = v.at FROM unnest($1::text[], $2::timestamptz[]) AS v(id, at)
         WHERE m.session_id = v.id AND m.ended_at IS NULL`,
        [[...effects.ended.keys()], [...effects.ended.values()]],
      );
    }
  };

  const record = async (tx: Sql, batch: readonly AccountingRecord[]): Promise<AccountingOutcome> => {
    const effects: Effects = { outcome: new OutcomeBuilder(), nat: [], ended: new Map() };
    await insertRecords(tx, batch);
    const slots = await lockSessions(tx, batch);
    for (const rec of batch) {
      if (!movesSession(rec)) {
        await closeNas(tx, rec, slots, effects);
        continue;
      }
      const key = keyOf(rec);
      const id = slots.latest.get(key);
      const slot = id === undefined ? undefined : slots.byId.get(id);
      const before = slot?.current ?? null;
      const after = applyAccounting(before, rec, deps.newId);
      if (!after) continue;
      if (slot && before?.id === after.id) {
        slot.current = after;
        effects.outcome.session(before, after);
      } else {
        // A new session, maybe for a key whose session stopped (earlier in this batch or before it): that one stays as it is.
        slots.byId.set(after.id, { stored: null, current: after });
        slots.latest.set(key, after.id);
        effects.outcome.session(null, after);
      }
      for (const m of natMappingsOfRecord(rec, after)) effects.nat.push({ ...m, id: deps.newId(), tenantId: after.tenantId, sessionId: after.id });
      if (rec.statusType === 'stop' && after.stoppedAt) effects.ended.set(after.id, after.stoppedAt);
    }
    await writeSessions(tx, slots);
    await writeNatMappings(tx, effects);
    return effects.outcome.build();
  };

  return {
    async record(batch) {
      if (batch.length === 0) return emptyOutcome();
      const stored = batch.map(storableRecord);
      return db.transaction((tx) => record(tx, stored), {
        attempts: 5,
        // An active session for one of this batch's keys appeared first (see above).
        retryable: (e) => uniqueViolation(e) === 'sessions_active_key',
      });
    },
    async count() {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${records}`);
      return num(rows[0]?.n ?? 0);
    },
  };
}
