import { AppError, E } from '../../errors.js';
import type { DeviceStore } from '../../ports/stores.js';
import type { DeviceRow as Row } from '../rows.js';
import { storable, toDevice, type PgColumns } from './columns.js';
import { foreignKeyViolation } from './constraints.js';
import type { PgDatabase } from './database.js';
import type { PgDeps } from './deps.js';

type DeviceRow = Row<PgColumns>;

const COLUMNS = 'id, identity_id, mac, label, remembered_at, expires_at';

/**
 * One row per MAC (UNIQUE): remembering a MAC for another identity moves it
 * there under a new id, so the previous owner's id for it stops working;
 * remembering it again for the same identity refreshes it and keeps its id.
 * One upsert statement, so two nodes remembering the same MAC at once end
 * with one row, the later write winning.
 * listByIdentity includes expired devices, most recently remembered first.
 */
export function createPgDeviceStore(db: PgDatabase, deps: PgDeps): DeviceStore {
  const devices = db.table('devices');
  return {
    async remember(identityId, mac, expiresAt, label) {
      try {
        const { rows } = await db.query<DeviceRow>(
          `INSERT INTO ${devices} AS d (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (mac) DO UPDATE SET
             id = CASE WHEN d.identity_id = excluded.identity_id THEN d.id ELSE excluded.id END,
             identity_id = excluded.identity_id,
             label = excluded.label,
             remembered_at = excluded.remembered_at,
             expires_at = excluded.expires_at
           RETURNING ${COLUMNS}`,
          [deps.newId(), identityId, mac, label, deps.clock.now(), expiresAt],
        );
        return toDevice(rows[0]!);
      } catch (e) {
        if (foreignKeyViolation(e) === 'devices_identity_fkey') throw new AppError(E.IDENTITY_NOT_FOUND, { user: identityId });
        throw e;
      }
    },
    async findActiveByMac(mac, now) {
      if (!storable(mac)) return null;
      const { rows } = await db.query<DeviceRow>(`SELECT ${COLUMNS} FROM ${devices} WHERE mac = $1 AND expires_at > $2`, [mac, now]);
      return rows[0] ? toDevice(rows[0]) : null;
    },
    async listByIdentity(identityId) {
      if (!storable(identityId)) return [];
      const { rows } = await db.query<DeviceRow>(
        `SELECT ${COLUMNS} FROM ${devices} WHERE identity_id = $1 ORDER BY remembered_at DESC, mac`,
        [identityId],
      );
      return rows.map(toDevice);
    },
    async forget(identityId, deviceId) {
      const { rowCount } =
        storable(identityId) && storable(deviceId)
          ? await db.query(`DELETE FROM ${devices} WHERE identity_id = $1 AND id = $2`, [identityId, deviceId])
          : { rowCount: 0 };
      if (!rowCount) throw new AppError(E.DEVICE_NOT_FOUND, { device: deviceId });
    },
  };
}
