import type { AccountingRecord } from '../../domain/entities.js';
import { applyAccounting } from '../../domain/session.js';
import type { AccountingOutcome, AccountingStore } from '../../ports/stores.js';
import { emptyOutcome, OutcomeBuilder } from '../accounting-rules.js';
import { natMappingsOfRecord } from '../legal-rules.js';
import { ms } from './columns.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteDeps } from './deps.js';
import { SESSION_COLUMNS, SESSION_ORDER, SESSION_VALUES, toSession, toSessionRow, type SessionRow } from './session-rows.js';

interface RecordRow {
  tenant_id: string;
  status_type: string;
  acct_session_id: string;
  nas_ip: string;
  nas_address: string | null;
  nas_identifier: string | null;
  username: string;
  identity_id: string | null;
  calling_station_id: string | null;
  called_station_id: string | null;
  ap_id: string | null;
  framed_ip: string | null;
  session_time: number;
  input_octets: number;
  output_octets: number;
  terminate_cause: string | null;
  event_at: number;
  received_at: number;
}

function toRecordRow(r: AccountingRecord): RecordRow {
  return {
    tenant_id: r.tenantId,
    status_type: r.statusType,
    acct_session_id: r.acctSessionId,
    nas_ip: r.nasIp,
    nas_address: r.nasAddress,
    nas_identifier: r.nasIdentifier,
    username: r.username,
    identity_id: r.identityId,
    calling_station_id: r.callingStationId,
    called_station_id: r.calledStationId,
    ap_id: r.apId,
    framed_ip: r.framedIp,
    session_time: r.sessionTime,
    input_octets: r.inputOctets,
    output_octets: r.outputOctets,
    terminate_cause: r.terminateCause,
    event_at: ms(r.eventAt),
    received_at: ms(r.receivedAt),
  };
}

/** RFC 2866 §5.10 Acct-Terminate-Cause 11 (NAS-Reboot). */
export const NAS_REBOOT = 'NAS-Reboot';

interface CloseParams {
  tenantId: string;
  at: number;
  nas: string;
}

interface NatRow {
  id: string;
  tenant_id: string;
  session_id: string;
  internal_ip: string;
  public_ip: string;
  port_start: number;
  port_end: number;
  started_at: number;
}

/**
 * The RADIUS server's group commit: a batch of Accounting-Requests becomes
 * durable in one IMMEDIATE transaction (one fsync with synchronous=FULL), raw
 * records and the sessions they move together. A record moves its key's
 * latest session, or opens a new one (see applyAccounting): an older, stopped
 * session of a reused key is never moved again. Any failing record (a NOT NULL
 * or CHECK violation, an unknown tenant) rolls the whole batch back, so none
 * of it is acknowledged and the NAS retransmits (RFC 2866 §4.1).
 *
 * The NAT port blocks a record reports (RFC 8045) join the legal connection
 * log in the same transaction; a session's blocks end when it does.
 */
export function createSqliteAccountingStore(db: SqliteDatabase, deps: SqliteDeps): AccountingStore {
  const insertRecord = db.prepare<[RecordRow]>(
    `INSERT INTO accounting_records (tenant_id, status_type, acct_session_id, nas_ip, nas_address, nas_identifier, username, identity_id,
       calling_station_id, called_station_id, ap_id, framed_ip, session_time, input_octets, output_octets, terminate_cause,
       event_at, received_at)
     VALUES (@tenant_id, @status_type, @acct_session_id, @nas_ip, @nas_address, @nas_identifier, @username, @identity_id,
       @calling_station_id, @called_station_id, @ap_id, @framed_ip, @session_time, @input_octets, @output_octets,
       @terminate_cause, @event_at, @received_at)`,
  );
  // The key's latest session: a NAS may have reused the key after an older one stopped (RFC 2866 §5.5).
  const current = db.prepare<[string, string, string], SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM sessions INDEXED BY sessions_by_key WHERE tenant_id = ? AND nas_ip = ? AND acct_session_id = ?
     ${SESSION_ORDER} LIMIT 1`,
  );
  const insertSession = db.prepare<[SessionRow]>(`INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (${SESSION_VALUES})`);
  const replaceSession = db.prepare<[SessionRow]>(
    `UPDATE sessions SET nas_address = @nas_address, nas_identifier = @nas_identifier, identity_id = @identity_id, username = @username,
       calling_station_id = @calling_station_id, called_station_id = @called_station_id, ap_id = @ap_id, framed_ip = @framed_ip,
       started_at = @started_at, updated_at = @updated_at, stopped_at = @stopped_at, session_time = @session_time,
       input_octets = @input_octets, output_octets = @output_octets, terminate_cause = @terminate_cause, status = @status
     WHERE id = @id`,
  );
  // Accounting-On/Off: the NAS lost (or is about to lose) every session it had
  // started before the event. Sessions started later belong to its new life.
  // `+started_at` keeps the planner on the active-by-NAS index rather than
  // range-scanning the tenant's whole history.
  const closeByNasIp = db.prepare<[CloseParams], { id: string }>(
    `UPDATE sessions SET status = 'stopped', stopped_at = @at, terminate_cause = '${NAS_REBOOT}'
     WHERE tenant_id = @tenantId AND nas_ip = @nas AND status = 'active' AND +started_at <= @at
     RETURNING id`,
  );
  // Gateways behind one NAT share an address: a NAS-Identifier, when sent, is the narrower key.
  const closeByNasIdentifier = db.prepare<[CloseParams], { id: string }>(
    `UPDATE sessions SET status = 'stopped', stopped_at = @at, terminate_cause = '${NAS_REBOOT}'
     WHERE tenant_id = @tenantId AND nas_identifier = @nas AND status = 'active' AND +started_at <= @at
     RETURNING id`,
  );
  // The block key (tenant, public IP, first port, start) makes a repeated report a no-op.
  // Only that uniqueness is waived (not INSERT OR IGNORE): a CHECK violation still fails the batch.
  const insertNat = db.prepare<[NatRow]>(
    `INSERT INTO nat_mappings (id, tenant_id, session_id, internal_ip, public_ip, port_start, port_end, started_at, ended_at, source)
     VALUES (@id, @tenant_id, @session_id, @internal_ip, @public_ip, @port_start, @port_end, @started_at, NULL, 'accounting')
     ON CONFLICT (tenant_id, public_ip, port_start, started_at) DO NOTHING`,
  );
  const endNat = db.prepare<[{ session: string; at: number }]>(
    'UPDATE nat_mappings SET ended_at = @at WHERE session_id = @session AND ended_at IS NULL',
  );
  const count = db.prepare<[], number>('SELECT COUNT(*) FROM accounting_records').pluck();

  const record = db.transaction((batch: readonly AccountingRecord[]): AccountingOutcome => {
    const outcome = new OutcomeBuilder();
    for (const rec of batch) {
      insertRecord.run(toRecordRow(rec));
      if (rec.statusType === 'accounting-on' || rec.statusType === 'accounting-off') {
        const params = { tenantId: rec.tenantId, at: ms(rec.eventAt) };
        const closed =
          rec.nasIdentifier !== null ? closeByNasIdentifier.all({ ...params, nas: rec.nasIdentifier }) : closeByNasIp.all({ ...params, nas: rec.nasIp });
        // Their NAT blocks end with them.
        for (const { id } of closed) endNat.run({ session: id, at: params.at });
        continue;
      }
      const row = current.get(rec.tenantId, rec.nasIp, rec.acctSessionId);
      const before = row ? toSession(row) : null;
      const after = applyAccounting(before, rec, deps.newId);
      if (!after) continue;
      // A new id is a new session (the key came back after its session stopped): the stopped one stays as it was.
      const moved = before !== null && before.id === after.id ? before : null;
      if (moved) replaceSession.run(toSessionRow(after));
      else insertSession.run(toSessionRow(after));
      outcome.session(moved, after);
      for (const m of natMappingsOfRecord(rec, after)) {
        insertNat.run({
          id: deps.newId(),
          tenant_id: after.tenantId,
          session_id: after.id,
          internal_ip: m.internalIp,
          public_ip: m.publicIp,
          port_start: m.portStart,
          port_end: m.portEnd,
          started_at: ms(m.startedAt),
        });
      }
      if (rec.statusType === 'stop' && after.stoppedAt) endNat.run({ session: after.id, at: ms(after.stoppedAt) });
    }
    return outcome.build();
  });

  return {
    async record(batch) {
      if (batch.length === 0) return emptyOutcome();
      return record.immediate(batch);
    },
    async count() {
      return count.get() ?? 0;
    },
  };
}
