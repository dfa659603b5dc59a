/**
 * What the RADIUS hot path needs to know about the federation, held in
 * memory: the client table (source network → municipality), the access
 * points and the federation's realm. Reloaded from the durable store on an interval, since
 * the CLI and the API change it from other processes and nodes.
 */
import type { AccessPoint, Federation, RadiusClient, Tenant } from '../controller/domain/entities.js';
import type { Mac } from '../controller/domain/mac.js';
import type { Stores } from '../controller/ports/stores.js';
import { createClientTable, type ClientTable } from './clients.js';

export interface ClientContext {
  readonly client: RadiusClient;
  readonly tenant: Tenant;
  /**
   * A secret being rolled out to this client's gateways (provisioning's
   * secret rotation): valid beside client.secret until the rotation
   * completes, so no gateway is stranded while its new configuration lands.
   */
  readonly pendingSecret: string | null;
}

/** Client id → the secret being rolled out to it. */
export type PendingSecrets = () => Promise<ReadonlyMap<string, string>>;

export interface Directory {
  /** RFC 2865 §3: null means "unknown client", to be silently discarded. */
  lookup(address: string): ClientContext | null;
  tenant(id: string): Tenant | null;
  /**
   * The municipality's access point by radio MAC (Called-Station-Id), else
   * by NAS-Identifier. Served from memory; a miss asks the store once per
   * reload period, so a newly registered AP is found at once and an
   * unregistered one costs no query per request.
   */
  accessPoint(tenantId: string, mac: Mac | null, nasIdentifier: string | null): Promise<AccessPoint | null>;
  readonly federation: Federation | null;
  reload(): Promise<void>;
}

export async function loadDirectory(stores: Stores, pendingSecrets: PendingSecrets = async () => new Map()): Promise<Directory> {
  let table: ClientTable = createClientTable([]);
  let tenants = new Map<string, Tenant>();
  let federation: Federation | null = null;
  let pending: ReadonlyMap<string, string> = new Map();
  let apByMac = new Map<string, AccessPoint | null>();
  let apByNasId = new Map<string, AccessPoint | null>();

  const viaStore = async <K>(cache: Map<K, AccessPoint | null>, key: K, find: () => Promise<AccessPoint | null>): Promise<AccessPoint | null> => {
    if (cache.has(key)) return cache.get(key)!;
    const found = await find();
    cache.set(key, found);
    return found;
  };

  const directory: Directory = {
    lookup(address) {
      const client = table.lookup(address);
      if (!client) return null;
      const tenant = tenants.get(client.tenantId);
      return tenant ? { client, tenant, pendingSecret: pending.get(client.id) ?? null } : null;
    },
    tenant: (id) => tenants.get(id) ?? null,
    async accessPoint(tenantId, mac, nasIdentifier) {
      if (mac) {
        const ap = await viaStore(apByMac, mac, () => stores.accessPoints.findByMac(mac));
        if (ap && ap.tenantId === tenantId) return ap;
      }
      if (!nasIdentifier) return null;
      return viaStore(apByNasId, `${tenantId}|${nasIdentifier}`, () => stores.accessPoints.findByNasIdentifier(tenantId, nasIdentifier));
    },
    get federation() {
      return federation;
    },
    async reload() {
      const [clients, list, fed, rotating] = await Promise.all([stores.clients.listAll(), stores.tenants.list(), stores.federation.get(), pendingSecrets()]);
      const aps = (await Promise.all(list.map((t) => stores.accessPoints.list(t.id)))).flat();
      table = createClientTable(clients);
      tenants = new Map(list.map((t) => [t.id, t]));
      federation = fed;
      pending = rotating;
      apByMac = new Map(aps.map((a) => [a.mac, a]));
      apByNasId = new Map(aps.filter((a) => a.nasIdentifier).map((a) => [`${a.tenantId}|${a.nasIdentifier}`, a]));
    },
  };
  await directory.reload();
  return directory;
}
