import type { AuditStore } from '../../ports/stores.js';
import type { AuditRow as Row } from '../rows.js';
import { json, limitOf, storable, toAuditEvent, type PgColumns } from './columns.js';
import type { PgDatabase } from './database.js';
import type { PgDeps } from './deps.js';

type AuditRow = Row<PgColumns>;

const COLUMNS = 'id, at, actor, tenant_id, action, target, before_json, after_json';
/** Newest first; among events of the same instant, the last appended first. */
const ORDER = 'ORDER BY at DESC, seq DESC';

/**
 * Append-only. before/after are stored as jsonb: what JSON cannot carry
 * (undefined, Dates as objects) comes back as JSON gives it (null, ISO
 * strings); jsonb also drops duplicate keys and does not keep key order.
 * list({ tenantId }): undefined means every event, null the federation-wide
 * ones, a string that tenant's; a missing limit means all. list({ action }):
 * that action, or every action it prefixes when it ends with a dot.
 */
export function createPgAuditStore(db: PgDatabase, deps: PgDeps): AuditStore {
  const events = db.table('audit_events');
  return {
    async append(e) {
      const { rows } = await db.query<AuditRow>(
        `INSERT INTO ${events} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb) RETURNING ${COLUMNS}`,
        [deps.newId(), e.at ?? deps.clock.now(), e.actor, e.tenantId, e.action, e.target, json(e.before), json(e.after)],
      );
      // Read back as stored, so append() and list() agree on what JSON kept.
      return toAuditEvent(rows[0]!);
    },
    async list(q) {
      const where: string[] = [];
      const binds: unknown[] = [limitOf(q.limit)];
      if (q.tenantId === null) where.push('tenant_id IS NULL');
      else if (q.tenantId !== undefined) {
        if (!storable(q.tenantId)) return [];
        binds.push(q.tenantId);
        where.push(`tenant_id = $${binds.length}`);
      }
      if (q.action !== undefined) {
        if (!storable(q.action)) return [];
        binds.push(q.action);
        // starts_with, not LIKE: an action may hold LIKE's wildcards.
        where.push(q.action.endsWith('.') ? `starts_with(action, $${binds.length})` : `action = $${binds.length}`);
      }
      const { rows } = await db.query<AuditRow>(
        `SELECT ${COLUMNS} FROM ${events} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${ORDER} LIMIT $1`,
        binds,
      );
      return rows.map(toAuditEvent);
    },
  };
}
