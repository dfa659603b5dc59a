import { AppError, E } from '../../errors.js';
import type { RadiusClientStore } from '../../ports/stores.js';
import type { RadiusClientRow as Row } from '../rows.js';
import { storable, toRadiusClient, type PgColumns } from './columns.js';
import { foreignKeyViolation, uniqueViolation } from './constraints.js';
import type { PgDatabase } from './database.js';
import type { PgDeps } from './deps.js';
import { newRadiusClient } from '../entity-rules.js';

type ClientRow = Row<PgColumns>;

const COLUMNS = 'id, tenant_id, name, network, secret, require_message_authenticator, coa_port, created_at';

/**
 * A network is a client of one tenant only: the source address is how the
 * RADIUS server tells municipalities apart. Lists are ordered by name, then network.
 */
export function createPgRadiusClientStore(db: PgDatabase, deps: PgDeps): RadiusClientStore {
  const clients = db.table('radius_clients');
  const tenants = db.table('tenants');

  return {
    async add(tenantId, c) {
      const client = newRadiusClient(deps.newId(), tenantId, c, deps.clock.now());
      try {
        await db.query(`INSERT INTO ${clients} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
          client.id,
          client.tenantId,
          client.name,
          client.network,
          client.secret,
          client.requireMessageAuthenticator,
          client.coaPort,
          client.createdAt,
        ]);
      } catch (e) {
        if (uniqueViolation(e) === 'radius_clients_network_key') {
          const { rows } = await db.query<{ slug: string }>(
            `SELECT t.slug FROM ${clients} c JOIN ${tenants} t ON t.id = c.tenant_id WHERE c.network = $1`,
            [c.network],
          );
          throw new AppError(E.CLIENT_EXISTS, { network: c.network, tenant: rows[0]?.slug ?? tenantId });
        }
        if (foreignKeyViolation(e) === 'radius_clients_tenant_fkey') throw new AppError(E.TENANT_NOT_FOUND, { tenant: tenantId });
        throw e;
      }
      return client;
    },
    async listAll() {
      const { rows } = await db.query<ClientRow>(`SELECT ${COLUMNS} FROM ${clients} ORDER BY name, network`);
      return rows.map(toRadiusClient);
    },
    async list(tenantId) {
      if (!storable(tenantId)) return [];
      const { rows } = await db.query<ClientRow>(`SELECT ${COLUMNS} FROM ${clients} WHERE tenant_id = $1 ORDER BY name, network`, [tenantId]);
      return rows.map(toRadiusClient);
    },
    async remove(tenantId, id) {
      const { rowCount } = storable(tenantId) && storable(id)
        ? await db.query(`DELETE FROM ${clients} WHERE tenant_id = $1 AND id = $2`, [tenantId, id])
        : { rowCount: 0 };
      if (!rowCount) throw new AppError(E.CLIENT_NOT_FOUND, { client: id });
    },
  };
}
