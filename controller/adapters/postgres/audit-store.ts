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
 * ones, a string that tenant's; a missing limit means all.
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
      const limit = limitOf(q.limit);
      if (q.tenantId === undefined) {
        const { rows } = await db.query<AuditRow>(`SELECT ${COLUMNS} FROM ${events} ${ORDER} LIMIT $1`, [limit]);
        return rows.map(toAuditEvent);
      }
      if (q.tenantId === null) {
        const { rows } = await db.query<AuditRow>(`SELECT ${COLUMNS} FROM ${events} WHERE tenant_id IS NULL ${ORDER} LIMIT $1`, [limit]);
        return rows.map(toAuditEvent);
      }
      if (!storable(q.tenantId)) return [];
      const { rows } = await db.query<AuditRow>(`SELECT ${COLUMNS} FROM ${events} WHERE tenant_id = $2 ${ORDER} LIMIT $1`, [limit, q.tenantId]);
      return rows.map(toAuditEvent);
    },
  };
}
