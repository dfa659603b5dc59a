/**
 * A provisioning node for tests: the real API app (controller/http) with
 * the /v1 router mounted, SQLite on a temporary file, the federation CA in
 * a temporary data dir, listening on 127.0.0.1 and a free port. Seeds a
 * federation, two municipalities with a RADIUS client each and tokens of
 * every role. Every JSON response `call` receives is checked against the
 * OpenAPI document for its path, method and status.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tenant } from '../../controller/domain/entities.js';
import { createMemoryConfigNotifier } from '../../controller/adapters/memory/config-notifications.js';
import { openSqliteStores } from '../../controller/adapters/sqlite/index.js';
import { openSqliteProvisioningStore } from '../../controller/adapters/sqlite/provisioning-store.js';
import { createApiApp } from '../../controller/http/api-app.js';
import { createLogger } from '../../controller/log.js';
import { createMetrics, type Metrics } from '../../controller/metrics.js';
import type { Clock } from '../../controller/ports/clock.js';
import type { ConfigNotifier } from '../../controller/ports/config-notifications.js';
import type { ProvisioningStore } from '../../controller/ports/provisioning.js';
import type { Stores } from '../../controller/ports/stores.js';
import { createApiToken } from '../../controller/services/tokens.js';
import { createProvisioningRouter } from '../../provisioning/app.js';
import { openFederationCa } from '../../provisioning/ca.js';
import type { ProvisioningSettings } from '../../provisioning/deps.js';
import { openApiDocument } from '../../provisioning/openapi.js';
import { ProvisioningRuntime } from '../../provisioning/runtime.js';
import { validateSchema } from './provisioning-schema.js';

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: T;
}

export interface CallOptions {
  readonly token?: string | null;
  readonly body?: unknown;
  /** Sent as is, with this content type. */
  readonly raw?: { readonly type: string; readonly data: string };
  readonly headers?: Record<string, string>;
}

/**
 * Calls the /v1 API at `url` and checks every JSON answer against the
 * OpenAPI document; each deviation is pushed to `nonConforming`, which the
 * test asserts is empty at the end.
 */
export function apiCaller(url: string, nonConforming: string[]) {
  return async function call<T = Record<string, unknown>>(method: string, path: string, o: CallOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.raw) {
      headers['content-type'] = o.raw.type;
      body = o.raw.data;
    } else if (o.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.body);
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let json: unknown = undefined;
    if ((res.headers.get('content-type') ?? '').startsWith('application/json')) {
      json = JSON.parse(text);
      if (path.startsWith('/v1/') && !path.startsWith('/v1/openapi.json')) {
        for (const e of checkConformance(method, path, res.status, json)) nonConforming.push(`${method} ${path} → ${res.status}: ${e}`);
      }
    }
    return { status: res.status, headers: res.headers, text, json: json as T };
  };
}

export const RADIUS_SECRET_A = 'rennes-radius-secret-0001';
export const RADIUS_SECRET_B = 'brest-radius-secret-00002';

const DOC = openApiDocument('test') as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }>> };
const ROUTES = Object.keys(DOC.paths).map((p) => ({ template: p, re: new RegExp(`^/v1${p.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`) }));

/** The documented schema of a JSON response, or an error when the response is not documented. */
export function checkConformance(method: string, path: string, status: number, body: unknown): string[] {
  const pathOnly = path.split('?')[0]!;
  // Literal paths win over templated ones (`/access-points/import` over `/access-points/{id}`).
  const matches = ROUTES.filter((r) => r.re.test(pathOnly)).sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  const route = matches.find((r) => DOC.paths[r.template]![method.toLowerCase()]);
  if (!route) return [`${method} ${pathOnly} is not in the OpenAPI document`];
  const op = DOC.paths[route.template]![method.toLowerCase()]!;
  const res = op.responses[String(status)];
  if (!res) return [`${method} ${route.template}: status ${status} is not documented`];
  const schema = res.content?.['application/json']?.schema;
  if (!schema) return [`${method} ${route.template} ${status}: no JSON schema documented`];
  return validateSchema(schema, body, DOC as unknown as Record<string, unknown>);
}

export interface Node {
  readonly url: string;
  readonly dir: string;
  readonly stores: Stores;
  readonly provisioning: ProvisioningStore;
  readonly rt: ProvisioningRuntime;
  readonly metrics: Metrics;
  readonly tenants: { readonly a: Tenant; readonly b: Tenant };
  readonly clients: { readonly a: string; readonly b: string };
  /** Tokens: admin (federation), a-rw, a-ro, b-rw. */
  readonly tokens: { readonly admin: string; readonly aRw: string; readonly aRo: string; readonly bRw: string };
  /** Every non-conforming response seen: a test asserts it stays empty. */
  readonly nonConforming: string[];
  call<T = Record<string, unknown>>(method: string, path: string, opts?: CallOptions): Promise<Reply<T>>;
  close(): Promise<void>;
}

export async function startNode(
  opts: { settings?: Partial<ProvisioningSettings>; notifier?: ConfigNotifier; clock?: Clock; dir?: string; seed?: boolean } = {},
): Promise<Node> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'wfc-prov-e2e-'));
  const file = join(dir, 'wfc.sqlite');
  const clock = opts.clock ?? { now: () => new Date() };
  const stores = openSqliteStores({ file }, { clock });
  const provisioning = openSqliteProvisioningStore({ file }, { clock });
  const metrics = createMetrics({ defaultMetrics: false });
  const log = createLogger({ level: 'silent' });
  const ca = openFederationCa(join(dir, 'ca'), { organization: 'Wi-Fi public Test', deviceDays: 365, caBits: 2048 });
  const notifier = opts.notifier ?? createMemoryConfigNotifier();
  const settings: ProvisioningSettings = {
    radiusServers: [
      { host: 'radius1.test.example', authPort: 1812, acctPort: 1813 },
      { host: 'radius2.test.example', authPort: 1812, acctPort: 1813 },
    ],
    portalBaseUrl: 'https://portail.test.example/{municipality}/',
    enrolmentTtlSeconds: 3600,
    maxWaitSeconds: 30,
    onlineAfterSeconds: 120,
    certificateDays: 365,
    flushIntervalMs: 60_000,
    ...opts.settings,
  };
  const rt = new ProvisioningRuntime({ stores, provisioning, notifier, ca, metrics, log, clock, settings });
  const router = createProvisioningRouter(rt, { version: 'test' });
  const app = createApiApp({ metrics, log, checks: [], version: 'test', mounts: [{ path: '/v1', router }] });
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  let tenants = { a: undefined as unknown as Tenant, b: undefined as unknown as Tenant };
  let clients = { a: '', b: '' };
  let tokens = { admin: '', aRw: '', aRo: '', bRw: '' };
  if (opts.seed !== false && !(await stores.federation.get())) {
    await stores.federation.set({ name: 'Wi-Fi public Test', realm: 'wifi.test.example' });
    const policy = (await import('../../controller/domain/policy.js')).DEFAULT_POLICY;
    const mk = (slug: string, name: string, insee: string) =>
      stores.tenants.create({ slug, name, inseeCode: insee, branding: { displayName: name, primaryColor: '#0055a4', logoUrl: null }, policy, wifi4eu: null, portal: null });
    const a = await mk('rennes', 'Ville de Rennes', '35238');
    const b = await mk('brest', 'Ville de Brest', '29019');
    tenants = {
      a: await stores.tenants.update(a.id, { portal: { gateway: 'opennds', uamSecret: null, uamAuth: 'pap', fasKey: 'fas-key-rennes', walledGarden: ['www.rennes.example'] } }),
      b: await stores.tenants.update(b.id, { portal: { gateway: 'coovachilli', uamSecret: 'uam-brest', uamAuth: 'chap', fasKey: null, walledGarden: [] } }),
    };
    const ca1 = await stores.clients.add(a.id, { name: 'gw-rennes', network: '192.0.2.0/24', secret: RADIUS_SECRET_A, requireMessageAuthenticator: true, coaPort: 3799 });
    const cb1 = await stores.clients.add(b.id, { name: 'gw-brest', network: '198.51.100.0/24', secret: RADIUS_SECRET_B, requireMessageAuthenticator: true, coaPort: 3799 });
    clients = { a: ca1.id, b: cb1.id };
    const tok = async (tenant: Tenant | null, role: 'admin' | 'municipal-rw' | 'municipal-ro') => (await createApiToken(stores, { tenant, name: role, role }, 'test')).secret;
    tokens = { admin: await tok(null, 'admin'), aRw: await tok(tenants.a, 'municipal-rw'), aRo: await tok(tenants.a, 'municipal-ro'), bRw: await tok(tenants.b, 'municipal-rw') };
  }

  const nonConforming: string[] = [];
  return {
    url,
    dir,
    stores,
    provisioning,
    rt,
    metrics,
    tenants,
    clients,
    tokens,
    nonConforming,
    call: apiCaller(url, nonConforming),
    async close() {
      await rt.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await provisioning.close();
      await stores.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A valid AP body; override what the test is about. */
export function apBody(mac: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { mac, name: `AP ${mac}`, model: 'GL-AR300M', serial: `SN-${mac}`, vendor: 'GL.iNet', site: 'Mairie', latitude: 48.11, longitude: -1.68, placement: 'indoor', ...over };
}
