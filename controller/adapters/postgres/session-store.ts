import type { SessionStore } from '../../ports/stores.js';
import { limitOf, num, storable } from './columns.js';
import type { PgDatabase } from './database.js';
import { SESSION_COLUMNS, SESSION_ORDER, toSession, type SessionRow } from './session-rows.js';

/**
 * Sessions as accounting left them (the accounting store writes them).
 * Lists are newest first (startedAt descending); a missing limit means all.
 * Closing a session (reaper, Accounting-On/Off) sets status, stoppedAt and
 * terminateCause only: updatedAt stays the NAS's last report.
 */
export function createPgSessionStore(db: PgDatabase): SessionStore {
  const sessions = db.table('sessions');
  const natMappings = db.table('nat_mappings');
  return {
    async get(tenantId, id) {
      if (!storable(tenantId) || !storable(id)) return null;
      const { rows } = await db.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM ${sessions} WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
      return rows[0] ? toSession(rows[0]) : null;
    },
    async list(q) {
      const where: string[] = [];
      const binds: unknown[] = [limitOf(q.limit)];
      for (const [column, value] of [
        ['tenant_id', q.tenantId],
        ['identity_id', q.identityId],
      ] as const) {
        if (value === undefined) continue;
        if (!storable(value)) return [];
        binds.push(value);
        where.push(`${column} = $${binds.length}`);
      }
      // Spelled literally so the planner can use the partial indexes on active sessions.
      if (q.activeOnly) where.push("status = 'active'");
      const { rows } = await db.query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM ${sessions} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${SESSION_ORDER} LIMIT $1`,
        binds,
      );
      return rows.map(toSession);
    },
    async countActive(identityId) {
      if (!storable(identityId)) return 0;
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${sessions} WHERE identity_id = $1 AND status = 'active'`,
        [identityId],
      );
      return num(rows[0]?.n ?? 0);
    },
    // Approximation: every session that started or was still active since
    // `since` (stopped at or after it, or not stopped) counts in full, including
    // what it used before `since`: accounting gives running totals, not their
    // split over time. An active session counts as of its last Interim-Update.
    async usageSince(identityId, since) {
      if (!storable(identityId)) return { seconds: 0, bytes: 0 };
      const { rows } = await db.query<{ seconds: string; bytes: string }>(
        `SELECT COALESCE(SUM(session_time), 0) AS seconds, COALESCE(SUM(input_octets + output_octets), 0) AS bytes
         FROM ${sessions} WHERE identity_id = $1 AND (stopped_at IS NULL OR stopped_at >= $2)`,
        [identityId, since],
      );
      return { seconds: num(rows[0]?.seconds ?? 0), bytes: num(rows[0]?.bytes ?? 0) };
    },
    // Several nodes may reap at once: a row another node is closing is
    // re-checked once its lock is released, and skipped as no longer active,
    // so each session is closed, and returned, once.
    async closeStale(updatedBefore, at, cause) {
      // A session's NAT blocks end when it does (see the accounting store), in the same statement.
      const { rows } = await db.query<SessionRow & { seq: string }>(
        `WITH closed AS (
           UPDATE ${sessions} SET status = 'stopped', stopped_at = $2, terminate_cause = $3
           WHERE status = 'active' AND updated_at < $1
           RETURNING seq, ${SESSION_COLUMNS}
         ), ended AS (
           UPDATE ${natMappings} m SET ended_at = $2 FROM closed WHERE m.session_id = closed.id AND m.ended_at IS NULL
         )
         SELECT * FROM closed`,
        [updatedBefore, at, cause],
      );
      // RETURNING gives no order: newest first, like list().
      rows.sort((a, b) => b.started_at.getTime() - a.started_at.getTime() || num(b.seq) - num(a.seq));
      return rows.map(toSession);
    },
  };
}
