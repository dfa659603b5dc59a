import { AppError, E } from '../../errors.js';
import type { RadiusClientStore } from '../../ports/stores.js';
import type { RadiusClientRow as Row } from '../rows.js';
import { bit, ms, toRadiusClient, type SqliteColumns } from './columns.js';
import { foreignKeyViolation, uniqueViolation } from './constraints.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteDeps } from './deps.js';
import { newRadiusClient } from '../entity-rules.js';

type ClientRow = Row<SqliteColumns>;

const COLUMNS = 'id, tenant_id, name, network, secret, require_message_authenticator, coa_port, created_at';

/**
 * A network is a client of one tenant only: the source address is how the
 * RADIUS server tells municipalities apart. Lists are ordered by name, then network.
 */
export function createSqliteRadiusClientStore(db: SqliteDatabase, deps: SqliteDeps): RadiusClientStore {
  const insert = db.prepare<[ClientRow]>(
    `INSERT INTO radius_clients (${COLUMNS})
     VALUES (@id, @tenant_id, @name, @network, @secret, @require_message_authenticator, @coa_port, @created_at)`,
  );
  const ownerOfNetwork = db.prepare<[string], { slug: string }>(
    'SELECT t.slug FROM radius_clients c JOIN tenants t ON t.id = c.tenant_id WHERE c.network = ?',
  );
  const all = db.prepare<[], ClientRow>(`SELECT ${COLUMNS} FROM radius_clients ORDER BY name, network`);
  const byTenant = db.prepare<[string], ClientRow>(`SELECT ${COLUMNS} FROM radius_clients WHERE tenant_id = ? ORDER BY name, network`);
  const remove = db.prepare<[string, string]>('DELETE FROM radius_clients WHERE tenant_id = ? AND id = ?');

  return {
    async add(tenantId, c) {
      const client = newRadiusClient(deps.newId(), tenantId, c, deps.clock.now());
      try {
        insert.run({
          id: client.id,
          tenant_id: tenantId,
          name: client.name,
          network: client.network,
          secret: client.secret,
          require_message_authenticator: bit(client.requireMessageAuthenticator),
          coa_port: client.coaPort,
          created_at: ms(client.createdAt),
        });
      } catch (e) {
        if (uniqueViolation(e) === 'radius_clients.network') {
          const owner = ownerOfNetwork.get(c.network);
          throw new AppError(E.CLIENT_EXISTS, { network: c.network, tenant: owner?.slug ?? tenantId });
        }
        if (foreignKeyViolation(e)) throw new AppError(E.TENANT_NOT_FOUND, { tenant: tenantId });
        throw e;
      }
      return client;
    },
    async listAll() {
      return all.all().map(toRadiusClient);
    },
    async list(tenantId) {
      return byTenant.all(tenantId).map(toRadiusClient);
    },
    async remove(tenantId, id) {
      if (remove.run(tenantId, id).changes === 0) throw new AppError(E.CLIENT_NOT_FOUND, { client: id });
    },
  };
}
