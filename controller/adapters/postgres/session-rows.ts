/** The sessions table's row shape, shared by the session and accounting stores. */
import type { Session, SessionStatus } from '../../domain/entities.js';
import type { Mac } from '../../domain/mac.js';
import { num } from './columns.js';

export interface SessionRow {
  id: string;
  tenant_id: string;
  acct_session_id: string;
  nas_ip: string;
  nas_identifier: string | null;
  identity_id: string | null;
  username: string;
  calling_station_id: string | null;
  called_station_id: string | null;
  ap_id: string | null;
  framed_ip: string | null;
  started_at: Date;
  updated_at: Date;
  stopped_at: Date | null;
  /** bigint columns: strings from node-postgres. */
  session_time: string;
  input_octets: string;
  output_octets: string;
  terminate_cause: string | null;
  status: string;
}

export const SESSION_COLUMNS =
  'id, tenant_id, acct_session_id, nas_ip, nas_identifier, identity_id, username, calling_station_id, called_station_id, ' +
  'ap_id, framed_ip, started_at, updated_at, stopped_at, session_time, input_octets, output_octets, terminate_cause, status';

/** Newest first; `seq` (insertion order) breaks ties between equal starts. */
export const SESSION_ORDER = 'ORDER BY started_at DESC, seq DESC';

export function toSession(r: SessionRow): Session {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    acctSessionId: r.acct_session_id,
    nasIp: r.nas_ip,
    nasIdentifier: r.nas_identifier,
    identityId: r.identity_id,
    username: r.username,
    callingStationId: r.calling_station_id as Mac | null,
    calledStationId: r.called_station_id,
    apId: r.ap_id,
    framedIp: r.framed_ip,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    stoppedAt: r.stopped_at,
    sessionTime: num(r.session_time),
    inputOctets: num(r.input_octets),
    outputOctets: num(r.output_octets),
    terminateCause: r.terminate_cause,
    status: r.status as SessionStatus,
  };
}
