import type { AccountingRecord } from '../../domain/entities.js';
import { applyAccounting } from '../../domain/session.js';
import type { AccountingStore } from '../../ports/stores.js';
import { ms } from './columns.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteDeps } from './deps.js';
import { SESSION_COLUMNS, SESSION_VALUES, toSession, toSessionRow, type SessionRow } from './session-rows.js';

interface RecordRow {
  tenant_id: string;
  status_type: string;
  acct_session_id: string;
  nas_ip: string;
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

/**
 * The RADIUS server's group commit: a batch of Accounting-Requests becomes
 * durable in one IMMEDIATE transaction (one fsync with synchronous=FULL), raw
 * records and the sessions they move together. Any failing record (a NOT NULL
 * or CHECK violation, an unknown tenant) rolls the whole batch back, so none
 * of it is acknowledged and the NAS retransmits (RFC 2866 §4.1).
 */
export function createSqliteAccountingStore(db: SqliteDatabase, deps: SqliteDeps): AccountingStore {
  const insertRecord = db.prepare<[RecordRow]>(
    `INSERT INTO accounting_records (tenant_id, status_type, acct_session_id, nas_ip, nas_identifier, username, identity_id,
       calling_station_id, called_station_id, ap_id, framed_ip, session_time, input_octets, output_octets, terminate_cause,
       event_at, received_at)
     VALUES (@tenant_id, @status_type, @acct_session_id, @nas_ip, @nas_identifier, @username, @identity_id,
       @calling_station_id, @called_station_id, @ap_id, @framed_ip, @session_time, @input_octets, @output_octets,
       @terminate_cause, @event_at, @received_at)`,
  );
  const current = db.prepare<[string, string, string], SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM sessions WHERE tenant_id = ? AND nas_ip = ? AND acct_session_id = ?`,
  );
  const insertSession = db.prepare<[SessionRow]>(`INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (${SESSION_VALUES})`);
  const replaceSession = db.prepare<[SessionRow]>(
    `UPDATE sessions SET nas_identifier = @nas_identifier, identity_id = @identity_id, username = @username,
       calling_station_id = @calling_station_id, called_station_id = @called_station_id, ap_id = @ap_id, framed_ip = @framed_ip,
       started_at = @started_at, updated_at = @updated_at, stopped_at = @stopped_at, session_time = @session_time,
       input_octets = @input_octets, output_octets = @output_octets, terminate_cause = @terminate_cause, status = @status
     WHERE id = @id`,
  );
  // Accounting-On/Off: the NAS lost (or is about to lose) every session it had
  // started before the event. Sessions started later belong to its new life.
  // `+started_at` keeps the planner on the active-by-NAS index rather than
  // range-scanning the tenant's whole history.
  const closeByNasIp = db.prepare<[CloseParams]>(
    `UPDATE sessions SET status = 'stopped', stopped_at = @at, terminate_cause = '${NAS_REBOOT}'
     WHERE tenant_id = @tenantId AND nas_ip = @nas AND status = 'active' AND +started_at <= @at`,
  );
  // Gateways behind one NAT share an address: a NAS-Identifier, when sent, is the narrower key.
  const closeByNasIdentifier = db.prepare<[CloseParams]>(
    `UPDATE sessions SET status = 'stopped', stopped_at = @at, terminate_cause = '${NAS_REBOOT}'
     WHERE tenant_id = @tenantId AND nas_identifier = @nas AND status = 'active' AND +started_at <= @at`,
  );
  const count = db.prepare<[], number>('SELECT COUNT(*) FROM accounting_records').pluck();

  const record = db.transaction((batch: readonly AccountingRecord[]): void => {
    for (const rec of batch) {
      insertRecord.run(toRecordRow(rec));
      if (rec.statusType === 'accounting-on' || rec.statusType === 'accounting-off') {
        const params = { tenantId: rec.tenantId, at: ms(rec.eventAt) };
        if (rec.nasIdentifier !== null) closeByNasIdentifier.run({ ...params, nas: rec.nasIdentifier });
        else closeByNasIp.run({ ...params, nas: rec.nasIp });
        continue;
      }
      const row = current.get(rec.tenantId, rec.nasIp, rec.acctSessionId);
      const before = row ? toSession(row) : null;
      const after = applyAccounting(before, rec, deps.newId);
      if (!after) continue;
      if (before) replaceSession.run(toSessionRow(after));
      else insertSession.run(toSessionRow(after));
    }
  });

  return {
    async record(batch) {
      if (batch.length === 0) return;
      record.immediate(batch);
    },
    async count() {
      return count.get() ?? 0;
    },
  };
}
