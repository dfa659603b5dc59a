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
 * ones, a string that tenant's; a missing limit means all.
 */
export function createSqliteAuditStore(db: SqliteDatabase, deps: SqliteDeps): AuditStore {
  const insert = db.prepare<[AuditRow]>(
    `INSERT INTO audit_events (${COLUMNS}) VALUES (@id, @at, @actor, @tenant_id, @action, @target, @before_json, @after_json)`,
  );
  const all = db.prepare<[number], AuditRow>(`SELECT ${COLUMNS} FROM audit_events ${ORDER} LIMIT ?`);
  const byTenant = db.prepare<[string | null, number], AuditRow>(`SELECT ${COLUMNS} FROM audit_events WHERE tenant_id IS ? ${ORDER} LIMIT ?`);

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
      const limit = limitOf(q.limit);
      const rows = q.tenantId === undefined ? all.all(limit) : byTenant.all(q.tenantId, limit);
      return rows.map(toAuditEvent);
    },
  };
}
