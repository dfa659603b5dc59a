/** The sessions table's row shape and columns, shared by the session and accounting stores. */
import type { SessionRow as Row } from '../rows.js';
import type { PgColumns } from './columns.js';

/** started_at…stopped_at read back as Date; the bigint counters as strings. */
export type SessionRow = Row<PgColumns>;
export { toSession } from './columns.js';

export const SESSION_COLUMNS =
  'id, tenant_id, acct_session_id, nas_ip, nas_address, nas_identifier, identity_id, username, calling_station_id, called_station_id, ' +
  'ap_id, framed_ip, started_at, updated_at, stopped_at, session_time, input_octets, output_octets, terminate_cause, status';

/** Newest first; `seq` (insertion order) breaks ties between equal starts. */
export const SESSION_ORDER = 'ORDER BY started_at DESC, seq DESC';

