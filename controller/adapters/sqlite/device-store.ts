import { AppError, E } from '../../errors.js';
import type { DeviceStore } from '../../ports/stores.js';
import type { DeviceRow as Row } from '../rows.js';
import { ms, toDevice, type SqliteColumns } from './columns.js';
import { foreignKeyViolation } from './constraints.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteDeps } from './deps.js';

type DeviceRow = Row<SqliteColumns>;

const COLUMNS = 'id, identity_id, mac, label, remembered_at, expires_at';

/**
 * One row per MAC (UNIQUE): remembering a MAC for another identity moves it
 * there under a new id, so the previous owner's id for it stops working;
 * remembering it again for the same identity refreshes it and keeps its id.
 * listByIdentity includes expired devices, most recently remembered first.
 */
export function createSqliteDeviceStore(db: SqliteDatabase, deps: SqliteDeps): DeviceStore {
  const upsert = db.prepare<[DeviceRow], DeviceRow>(
    `INSERT INTO devices (${COLUMNS}) VALUES (@id, @identity_id, @mac, @label, @remembered_at, @expires_at)
     ON CONFLICT (mac) DO UPDATE SET
       id = CASE WHEN devices.identity_id = excluded.identity_id THEN devices.id ELSE excluded.id END,
       identity_id = excluded.identity_id,
       label = excluded.label,
       remembered_at = excluded.remembered_at,
       expires_at = excluded.expires_at
     RETURNING ${COLUMNS}`,
  );
  const activeByMac = db.prepare<[string, number], DeviceRow>(`SELECT ${COLUMNS} FROM devices WHERE mac = ? AND expires_at > ?`);
  const byIdentity = db.prepare<[string], DeviceRow>(
    `SELECT ${COLUMNS} FROM devices WHERE identity_id = ? ORDER BY remembered_at DESC, mac`,
  );
  const forget = db.prepare<[string, string]>('DELETE FROM devices WHERE identity_id = ? AND id = ?');

  return {
    async remember(identityId, mac, expiresAt, label) {
      try {
        const row = upsert.get({
          id: deps.newId(),
          identity_id: identityId,
          mac,
          label,
          remembered_at: ms(deps.clock.now()),
          expires_at: ms(expiresAt),
        });
        return toDevice(row!);
      } catch (e) {
        if (foreignKeyViolation(e)) throw new AppError(E.IDENTITY_NOT_FOUND, { user: identityId });
        throw e;
      }
    },
    async findActiveByMac(mac, now) {
      const row = activeByMac.get(mac, ms(now));
      return row ? toDevice(row) : null;
    },
    async listByIdentity(identityId) {
      return byIdentity.all(identityId).map(toDevice);
    },
    async forget(identityId, deviceId) {
      if (forget.run(identityId, deviceId).changes === 0) throw new AppError(E.DEVICE_NOT_FOUND, { device: deviceId });
    },
  };
}
