/**
 * What the RADIUS hot path needs to know about the federation, held in
 * memory: the client table (source network → municipality) and the
 * federation's realm. Reloaded from the durable store on an interval, since
 * the CLI and the API change it from other processes and nodes.
 */
import type { Federation, RadiusClient, Tenant } from '../controller/domain/entities.js';
import type { Stores } from '../controller/ports/stores.js';
import { createClientTable, type ClientTable } from './clients.js';

export interface ClientContext {
  readonly client: RadiusClient;
  readonly tenant: Tenant;
}

export interface Directory {
  /** RFC 2865 §3: null means "unknown client", to be silently discarded. */
  lookup(address: string): ClientContext | null;
  tenant(id: string): Tenant | null;
  readonly federation: Federation | null;
  reload(): Promise<void>;
}

export async function loadDirectory(stores: Stores): Promise<Directory> {
  let table: ClientTable = createClientTable([]);
  let tenants = new Map<string, Tenant>();
  let federation: Federation | null = null;

  const directory: Directory = {
    lookup(address) {
      const client = table.lookup(address);
      if (!client) return null;
      const tenant = tenants.get(client.tenantId);
      return tenant ? { client, tenant } : null;
    },
    tenant: (id) => tenants.get(id) ?? null,
    get federation() {
      return federation;
    },
    async reload() {
      const [clients, list, fed] = await Promise.all([stores.clients.listAll(), stores.tenants.list(), stores.federation.get()]);
      table = createClientTable(clients);
      tenants = new Map(list.map((t) => [t.id, t]));
      federation = fed;
    },
  };
  await directory.reload();
  return directory;
}
