import type { AccessPoint } from '../../domain/entities.js';
import { AppError, E } from '../../errors.js';
import type { AccessPointStore } from '../../ports/stores.js';
import { applyAccessPointPatch, newAccessPoint } from '../entity-rules.js';
import type { AccessPointRow as Row } from '../rows.js';
import { storable, toAccessPoint, type PgColumns } from './columns.js';
import { foreignKeyViolation, uniqueViolation } from './constraints.js';
import type { PgDatabase, Sql } from './database.js';
import type { PgDeps } from './deps.js';

type AccessPointRow = Row<PgColumns>;

const COLUMNS = 'id, tenant_id, mac, name, model, serial, site, latitude, longitude, placement, nas_identifier, created_at, updated_at';

/** Bind values in COLUMNS order. */
function values(ap: AccessPoint): unknown[] {
  return [
    ap.id,
    ap.tenantId,
    ap.mac,
    ap.name,
    ap.model,
    ap.serial,
    ap.site,
    ap.latitude,
    ap.longitude,
    ap.placement,
    ap.nasIdentifier,
    ap.createdAt,
    ap.updatedAt,
  ];
}

export interface AccessPointWriter {
  insert(sql: Sql, ap: AccessPoint): Promise<void>;
  /** Every column but id, tenant and createdAt, which never change. */
  update(sql: Sql, ap: AccessPoint): Promise<void>;
}

/**
 * Writes an access-point row, mapping a taken MAC and an unknown tenant to
 * the catalog: shared by this store and the provisioning store, which
 * writes APs together with their profiles.
 */
export function accessPointWriter(aps: string): AccessPointWriter {
  const insert = `INSERT INTO ${aps} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;
  // The same binds minus created_at ($12 in COLUMNS order), which never changes.
  const replace = `UPDATE ${aps} SET mac = $3, name = $4, model = $5, serial = $6, site = $7, latitude = $8, longitude = $9,
    placement = $10, nas_identifier = $11, updated_at = $12
    WHERE tenant_id = $2 AND id = $1`;
  const write = async (sql: Sql, statement: string, ap: AccessPoint, binds: readonly unknown[]): Promise<void> => {
    try {
      await sql.query(statement, binds);
    } catch (e) {
      if (uniqueViolation(e) === 'access_points_mac_key') throw new AppError(E.AP_EXISTS, { mac: ap.mac });
      if (foreignKeyViolation(e) === 'access_points_tenant_fkey') throw new AppError(E.TENANT_NOT_FOUND, { tenant: ap.tenantId });
      throw e;
    }
  };
  return {
    insert: (sql, ap) => write(sql, insert, ap, values(ap)),
    update: (sql, ap) => write(sql, replace, ap, values(ap).filter((_, i) => i !== 11)),
  };
}

/**
 * An AP is read and written with its tenant: another tenant's id behaves as
 * unknown. A MAC is unique federation-wide. Lists are ordered by name, then MAC.
 */
export function createPgAccessPointStore(db: PgDatabase, deps: PgDeps): AccessPointStore {
  const aps = db.table('access_points');
  const writer = accessPointWriter(aps);
  const many = async (where: string, params: readonly string[], suffix = ''): Promise<AccessPoint[]> => {
    if (!params.every(storable)) return [];
    const { rows } = await db.query<AccessPointRow>(`SELECT ${COLUMNS} FROM ${aps} WHERE ${where} ORDER BY name, mac ${suffix}`, params);
    return rows.map(toAccessPoint);
  };

  return {
    async create(tenantId, ap) {
      const now = deps.clock.now();
      const created = newAccessPoint(deps.newId(), tenantId, ap, now);
      await writer.insert(db, created);
      return created;
    },
    async get(tenantId, id) {
      return (await many('tenant_id = $1 AND id = $2', [tenantId, id]))[0] ?? null;
    },
    async findByMac(mac) {
      return (await many('mac = $1', [mac]))[0] ?? null;
    },
    async findByNasIdentifier(tenantId, nasIdentifier) {
      return (await many('tenant_id = $1 AND nas_identifier = $2', [tenantId, nasIdentifier], 'LIMIT 1'))[0] ?? null;
    },
    list: (tenantId) => many('tenant_id = $1', [tenantId]),
    async update(tenantId, id, patch) {
      if (!storable(tenantId) || !storable(id)) throw new AppError(E.AP_NOT_FOUND, { ap: id });
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<AccessPointRow>(`SELECT ${COLUMNS} FROM ${aps} WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [
          tenantId,
          id,
        ]);
        if (!rows[0]) throw new AppError(E.AP_NOT_FOUND, { ap: id });
        const cur = toAccessPoint(rows[0]);
        const next: AccessPoint = { ...cur, ...applyAccessPointPatch(cur, patch), updatedAt: deps.clock.now() };
        await writer.update(tx, next);
        return next;
      });
    },
    async delete(tenantId, id) {
      const { rowCount } =
        storable(tenantId) && storable(id) ? await db.query(`DELETE FROM ${aps} WHERE tenant_id = $1 AND id = $2`, [tenantId, id]) : { rowCount: 0 };
      if (!rowCount) throw new AppError(E.AP_NOT_FOUND, { ap: id });
    },
  };
}
