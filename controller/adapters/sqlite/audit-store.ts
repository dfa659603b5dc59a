import type Database from 'better-sqlite3';
import type { AuditEvent } from '../../domain/entities.js';
import type { AuditStore } from '../../ports/stores.js';
import type { AuditRow as Row } from '../rows.js';
import { json, limitOf, ms, toAuditEvent, type SqliteColumns } from './columns.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteDeps } from './deps.js';

type AuditRow = Row<SqliteColumns>;

const COLUMNS = 'id, at, actor, tenant_id, action, target, before_json, after_json';
/** Newest first; among events of the same millisecond, the last appended first. */
const ORDER = 'ORDER BY at DESC, seq DESC';

/**
 * Append-only. before/after are stored as JSON: what JSON cannot carry
 * (undefined, Dates as objects) comes back as JSON gives it (null, ISO strings).
 * list({ tenantId }): undefined means every event, null the federation-wide
 * ones, a string that tenant's; a missing limit means all. list({ action }):
 * that action, or every action it prefixes when it ends with a dot.
 */
export function createSqliteAuditStore(db: SqliteDatabase, deps: SqliteDeps): AuditStore {
  const insert = db.prepare<[AuditRow]>(
    `INSERT INTO audit_events (${COLUMNS}) VALUES (@id, @at, @actor, @tenant_id, @action, @target, @before_json, @after_json)`,
  );
  type ListParams = { tenantId?: string | null; action?: string; limit: number };
  // One statement per filter combination, prepared once on first use.
  const lists = new Map<string, Database.Statement<[ListParams], AuditRow>>();
  const listStatement = (byTenant: boolean, action: 'exact' | 'prefix' | null) => {
    const key = `${byTenant}:${action}`;
    let stmt = lists.get(key);
    if (!stmt) {
      const where: string[] = [];
      if (byTenant) where.push('tenant_id IS @tenantId');
      // substr, not LIKE: an action may hold LIKE's wildcards.
      if (action === 'exact') where.push('action = @action');
      if (action === 'prefix') where.push('substr(action, 1, length(@action)) = @action');
      stmt = db.prepare<[ListParams], AuditRow>(
        `SELECT ${COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${ORDER} LIMIT @limit`,
      );
      lists.set(key, stmt);
    }
    return stmt;
  };

  return {
    async append(e) {
      const event: AuditEvent = {
        id: deps.newId(),
        at: e.at ?? deps.clock.now(),
        actor: e.actor,
        tenantId: e.tenantId,
        action: e.action,
        target: e.target,
        before: e.before ?? null,
        after: e.after ?? null,
      };
      const row: AuditRow = {
        id: event.id,
        at: ms(event.at),
        actor: event.actor,
        tenant_id: event.tenantId,
        action: event.action,
        target: event.target,
        before_json: json(event.before),
        after_json: json(event.after),
      };
      insert.run(row);
      // Read back as stored, so append() and list() agree on what JSON kept.
      return toAuditEvent(row);
    },
    async list(q) {
      const params: ListParams = { limit: limitOf(q.limit) };
      if (q.tenantId !== undefined) params.tenantId = q.tenantId;
      if (q.action !== undefined) params.action = q.action;
      const action = q.action === undefined ? null : q.action.endsWith('.') ? 'prefix' : 'exact';
      return listStatement(q.tenantId !== undefined, action).all(params).map(toAuditEvent);
    },
  };
}
