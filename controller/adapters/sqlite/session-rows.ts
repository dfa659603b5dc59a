/** The sessions table's row shape and columns, shared by the session and accounting stores. */
import type { Session } from '../../domain/entities.js';
import type { SessionRow as Row } from '../rows.js';
import { ms, msOrNull, type SqliteColumns } from './columns.js';

export type SessionRow = Row<SqliteColumns>;
export { toSession } from './columns.js';

export const SESSION_COLUMNS =
  'id, tenant_id, acct_session_id, nas_ip, nas_address, nas_identifier, identity_id, username, calling_station_id, called_station_id, ' +
  'ap_id, framed_ip, started_at, updated_at, stopped_at, session_time, input_octets, output_octets, terminate_cause, status';

export const SESSION_VALUES =
  '@id, @tenant_id, @acct_session_id, @nas_ip, @nas_address, @nas_identifier, @identity_id, @username, @calling_station_id, @called_station_id, ' +
  '@ap_id, @framed_ip, @started_at, @updated_at, @stopped_at, @session_time, @input_octets, @output_octets, @terminate_cause, @status';

/** Newest first; `seq` (insertion order) breaks ties between equal starts. */
export const SESSION_ORDER = 'ORDER BY started_at DESC, seq DESC';

export function toSessionRow(s: Session): SessionRow {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    acct_session_id: s.acctSessionId,
    nas_ip: s.nasIp,
    nas_address: s.nasAddress,
    nas_identifier: s.nasIdentifier,
    identity_id: s.identityId,
    username: s.username,
    calling_station_id: s.callingStationId,
    called_station_id: s.calledStationId,
    ap_id: s.apId,
    framed_ip: s.framedIp,
    started_at: ms(s.startedAt),
    updated_at: ms(s.updatedAt),
    stopped_at: msOrNull(s.stoppedAt),
    session_time: s.sessionTime,
    input_octets: s.inputOctets,
    output_octets: s.outputOctets,
    terminate_cause: s.terminateCause,
    status: s.status,
  };
}
