import type Database from 'better-sqlite3';
import type { SessionQuery, SessionStore } from '../../ports/stores.js';
import { limitOf, ms } from './columns.js';
import type { SqliteDatabase } from './database.js';
import { SESSION_COLUMNS, SESSION_ORDER, toSession, type SessionRow } from './session-rows.js';

type ListParams = { tenantId?: string; identityId?: string; limit: number };

/**
 * Sessions as accounting left them (the accounting store writes them).
 * Lists are newest first (startedAt descending); a missing limit means all.
 * Closing a session (reaper, Accounting-On/Off) sets status, stoppedAt and
 * terminateCause only: updatedAt stays the NAS's last report.
 */
export function createSqliteSessionStore(db: SqliteDatabase): SessionStore {
  const byId = db.prepare<[string, string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE tenant_id = ? AND id = ?`);
  const countActive = db.prepare<[string], number>(
    "SELECT COUNT(*) FROM sessions WHERE identity_id = ? AND status = 'active'",
  ).pluck();
  // Approximation: every session that started or was still active since
  // `since` (stopped at or after it, or not stopped) counts in full, including
  // what it used before `since`: accounting gives running totals, not their
  // split over time. An active session counts as of its last Interim-Update.
  const usage = db.prepare<[string, number], { seconds: number; bytes: number }>(
    `SELECT COALESCE(SUM(session_time), 0) AS seconds, COALESCE(SUM(input_octets + output_octets), 0) AS bytes
     FROM sessions WHERE identity_id = ? AND (stopped_at IS NULL OR stopped_at >= ?)`,
  );
  const closeStale = db.prepare<[{ before: number; at: number; cause: string }], SessionRow & { seq: number }>(
    `UPDATE sessions SET status = 'stopped', stopped_at = @at, terminate_cause = @cause
     WHERE status = 'active' AND updated_at < @before
     RETURNING seq, ${SESSION_COLUMNS}`,
  );
  // A session's NAT blocks end when it does (see the accounting store).
  const endNat = db.prepare<[{ session: string; at: number }]>(
    'UPDATE nat_mappings SET ended_at = @at WHERE session_id = @session AND ended_at IS NULL',
  );
  const close = db.transaction((params: { before: number; at: number; cause: string }) => {
    const rows = closeStale.all(params);
    for (const r of rows) endNat.run({ session: r.id, at: params.at });
    return rows;
  });

  // One statement per filter combination, each prepared once on first use.
  // INDEXED BY pins each to its index: without ANALYZE statistics SQLite may
  // otherwise walk a tenant's whole history to find its few active sessions.
  const lists = new Map<string, Database.Statement<ListParams, SessionRow>>();
  const listStatement = (q: SessionQuery) => {
    const where: string[] = [];
    if (q.tenantId !== undefined) where.push('tenant_id = @tenantId');
    if (q.identityId !== undefined) where.push('identity_id = @identityId');
    if (q.activeOnly) where.push("status = 'active'");
    const key = where.join(' AND ');
    let stmt = lists.get(key);
    if (!stmt) {
      const by = q.identityId !== undefined ? 'identity' : q.tenantId !== undefined ? 'tenant' : 'start';
      const index = `sessions_${q.activeOnly ? 'active_' : ''}by_${by}`;
      stmt = db.prepare<[ListParams], SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions INDEXED BY ${index} ${key ? `WHERE ${key}` : ''} ${SESSION_ORDER} LIMIT @limit`,
      );
      lists.set(key, stmt);
    }
    return stmt;
  };

  return {
    async get(tenantId, id) {
      const row = byId.get(tenantId, id);
      return row ? toSession(row) : null;
    },
    async list(q) {
      const params: ListParams = { limit: limitOf(q.limit) };
      if (q.tenantId !== undefined) params.tenantId = q.tenantId;
      if (q.identityId !== undefined) params.identityId = q.identityId;
      return listStatement(q).all(params).map(toSession);
    },
    async countActive(identityId) {
      return countActive.get(identityId) ?? 0;
    },
    async usageSince(identityId, since) {
      const row = usage.get(identityId, ms(since));
      return { seconds: row?.seconds ?? 0, bytes: row?.bytes ?? 0 };
    },
    async closeStale(updatedBefore, at, cause) {
      const rows = close.immediate({ before: ms(updatedBefore), at: ms(at), cause });
      // RETURNING gives no order: newest first, like list().
      rows.sort((a, b) => b.started_at - a.started_at || b.seq - a.seq);
      return rows.map(toSession);
    },
  };
}
