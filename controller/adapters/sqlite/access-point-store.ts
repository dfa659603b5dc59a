import type { AccessPoint } from '../../domain/entities.js';
import { AppError, E } from '../../errors.js';
import type { AccessPointStore, NewAccessPoint } from '../../ports/stores.js';
import { applyAccessPointPatch, newAccessPoint } from '../entity-rules.js';
import type { AccessPointRow as Row } from '../rows.js';
import { ms, toAccessPoint, type SqliteColumns } from './columns.js';
import { foreignKeyViolation, uniqueViolation } from './constraints.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteDeps } from './deps.js';

type AccessPointRow = Row<SqliteColumns>;

const COLUMNS = 'id, tenant_id, mac, name, model, serial, site, latitude, longitude, placement, nas_identifier, created_at, updated_at';

/** Shared with the provisioning store, which writes access points in its own transactions. */
export function accessPointRow(ap: AccessPoint): AccessPointRow {
  return {
    id: ap.id,
    tenant_id: ap.tenantId,
    mac: ap.mac,
    name: ap.name,
    model: ap.model,
    serial: ap.serial,
    site: ap.site,
    latitude: ap.latitude,
    longitude: ap.longitude,
    placement: ap.placement,
    nas_identifier: ap.nasIdentifier,
    created_at: ms(ap.createdAt),
    updated_at: ms(ap.updatedAt),
  };
}

export interface AccessPointWriter {
  insert(ap: AccessPoint): void;
  /** Every column but id, tenant and createdAt, which never change. */
  update(ap: AccessPoint): void;
}

/**
 * Writes an access-point row, mapping a taken MAC and an unknown tenant to
 * the catalog: shared by this store and the provisioning store, which
 * writes APs together with their profiles.
 */
export function accessPointWriter(db: SqliteDatabase): AccessPointWriter {
  const insert = db.prepare<[AccessPointRow]>(
    `INSERT INTO access_points (${COLUMNS}) VALUES (@id, @tenant_id, @mac, @name, @model, @serial, @site,
       @latitude, @longitude, @placement, @nas_identifier, @created_at, @updated_at)`,
  );
  const replace = db.prepare<[AccessPointRow]>(
    `UPDATE access_points SET mac = @mac, name = @name, model = @model, serial = @serial, site = @site, latitude = @latitude,
       longitude = @longitude, placement = @placement, nas_identifier = @nas_identifier, updated_at = @updated_at
     WHERE tenant_id = @tenant_id AND id = @id`,
  );
  const write = (stmt: typeof insert, ap: AccessPoint): void => {
    try {
      stmt.run(accessPointRow(ap));
    } catch (e) {
      if (uniqueViolation(e) === 'access_points.mac') throw new AppError(E.AP_EXISTS, { mac: ap.mac });
      if (foreignKeyViolation(e)) throw new AppError(E.TENANT_NOT_FOUND, { tenant: ap.tenantId });
      throw e;
    }
  };
  return { insert: (ap) => write(insert, ap), update: (ap) => write(replace, ap) };
}

/**
 * An AP is read and written with its tenant: another tenant's id behaves as
 * unknown. A MAC is unique federation-wide. Lists are ordered by name, then MAC.
 */
export function createSqliteAccessPointStore(db: SqliteDatabase, deps: SqliteDeps): AccessPointStore {
  const writer = accessPointWriter(db);
  const byId = db.prepare<[string, string], AccessPointRow>(`SELECT ${COLUMNS} FROM access_points WHERE tenant_id = ? AND id = ?`);
  const byMac = db.prepare<[string], AccessPointRow>(`SELECT ${COLUMNS} FROM access_points WHERE mac = ?`);
  const byNasIdentifier = db.prepare<[string, string], AccessPointRow>(
    `SELECT ${COLUMNS} FROM access_points WHERE tenant_id = ? AND nas_identifier = ? ORDER BY name, mac LIMIT 1`,
  );
  const byTenant = db.prepare<[string], AccessPointRow>(`SELECT ${COLUMNS} FROM access_points WHERE tenant_id = ? ORDER BY name, mac`);
  const remove = db.prepare<[string, string]>('DELETE FROM access_points WHERE tenant_id = ? AND id = ?');


  const update = db.transaction((tenantId: string, id: string, patch: Partial<NewAccessPoint>): AccessPoint => {
    const row = byId.get(tenantId, id);
    if (!row) throw new AppError(E.AP_NOT_FOUND, { ap: id });
    const cur = toAccessPoint(row);
    const next: AccessPoint = { ...cur, ...applyAccessPointPatch(cur, patch), updatedAt: deps.clock.now() };
    writer.update(next);
    return next;
  });

  return {
    async create(tenantId, ap) {
      const now = deps.clock.now();
      const created = newAccessPoint(deps.newId(), tenantId, ap, now);
      writer.insert(created);
      return created;
    },
    async get(tenantId, id) {
      const row = byId.get(tenantId, id);
      return row ? toAccessPoint(row) : null;
    },
    async findByMac(mac) {
      const row = byMac.get(mac);
      return row ? toAccessPoint(row) : null;
    },
    async findByNasIdentifier(tenantId, nasIdentifier) {
      const row = byNasIdentifier.get(tenantId, nasIdentifier);
      return row ? toAccessPoint(row) : null;
    },
    async list(tenantId) {
      return byTenant.all(tenantId).map(toAccessPoint);
    },
    async update(tenantId, id, patch) {
      return update.immediate(tenantId, id, patch);
    },
    async delete(tenantId, id) {
      if (remove.run(tenantId, id).changes === 0) throw new AppError(E.AP_NOT_FOUND, { ap: id });
    },
  };
}
