/**
 * Provisioning on PostgreSQL as a federation runs it: `wfc demo` seeds a
 * fresh schema, then two servers from dist/ (each its own data dir and
 * ports) share it through WFC_DATABASE_URL. Through the real HTTP API: an
 * AP registered on one node, its configuration published from the other,
 * enrolment and configuration polls split across the nodes, the one-time
 * token refused on the second try wherever it is sent, the applied report
 * seen by both. Skipped when no PostgreSQL answers, except under CI.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_JS, WFC_JS, childEnv, ensureBuilt, freePorts, runNode, spawnNode, waitForHttp, type Spawned } from '../helpers/process.js';
import { usePostgres } from '../helpers/services.js';

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

const service = await usePostgres();

describe.skipIf(!service)('provisioning API on PostgreSQL, two nodes (dist/, WFC_DATABASE_URL)', { timeout: 60_000 }, () => {
  const schema = `wfc_e2e_${randomBytes(6).toString('hex')}`;
  let root: string;
  let admin: pg.Pool;
  const nodes: Array<{ server: Spawned; api: string }> = [];
  let token: string;

  /** The operator's way of choosing the schema: in the URL (docs/deploy.md). */
  const databaseUrl = (): string => {
    const u = new URL(service!.url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    return u.toString();
  };

  /**
   * The RADIUS ports are in every bundle, so the nodes of a federation share
   * them: here each node binds them on its own loopback address.
   */
  let radius: { auth: number; acct: number };

  async function startNode(i: number): Promise<{ server: Spawned; api: string }> {
    const { auth, acct } = radius;
    const [apiPort, portalPort] = await freePorts(2, 'tcp');
    const env = childEnv({
      WFC_DATA_DIR: join(root, `node-${i}`),
      WFC_DATABASE_URL: databaseUrl(),
      WFC_RADIUS_AUTH_PORT: String(auth),
      WFC_RADIUS_ACCT_PORT: String(acct),
      WFC_RADIUS_HOST: `127.0.0.${i + 1}`,
      WFC_API_PORT: String(apiPort!),
      WFC_API_HOST: '127.0.0.1',
      WFC_PORTAL_PORT: String(portalPort!),
      WFC_PORTAL_HOST: '127.0.0.1',
      // What an AP's bundle points its captive portal gateway to.
      WFC_PORTAL_PUBLIC_URL: 'https://portail.example-region.fr',
      WFC_RADIUS_PUBLIC_SERVERS: 'radius1.example-region.fr,radius2.example-region.fr',
      WFC_LOG_LEVEL: 'info',
    });
    const server = spawnNode(MAIN_JS, [], { env });
    const api = `http://127.0.0.1:${apiPort}`;
    await waitForHttp(`${api}/readyz`, {
      timeoutMs: 20_000,
      check: () => {
        const exit = server.exitStatus();
        if (exit) throw new Error(`node ${i} exited (code ${exit.code}, signal ${exit.signal}) before it was ready:\n${server.stdout()}\n${server.stderr()}`);
      },
    });
    return { server, api };
  }

  const call = async (node: number, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(nodes[node]!.api + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: (res.headers.get('content-type') ?? '').startsWith('application/json') ? (JSON.parse(text) as Json) : ({} as Json) };
  };

  beforeAll(async () => {
    await ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'wfc-prov-pg-e2e-'));
    admin = new pg.Pool({ connectionString: service!.url, max: 1 });
    const seeded = await runNode(WFC_JS, ['demo', '--data-dir', join(root, 'node-0'), '--json'], {
      env: childEnv({ WFC_DATA_DIR: join(root, 'node-0'), WFC_DATABASE_URL: databaseUrl() }),
      timeoutMs: 30_000,
    });
    expect(seeded.code, seeded.stderr).toBe(0);
    token = (JSON.parse(seeded.stdout) as { tenants: Array<{ slug: string; apiToken: string }> }).tenants[0]!.apiToken;
    const [auth, acct] = await freePorts(2, 'udp');
    radius = { auth: auth!, acct: acct! };
    nodes.push(await startNode(0), await startNode(1));
  }, 90_000);

  afterAll(async () => {
    for (const n of nodes) if (!n.server.exitStatus()) await n.server.stop('SIGTERM', 10_000).catch(() => n.server.stop('SIGKILL', 5_000).catch(() => {}));
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
    if (root) rmSync(root, { recursive: true, force: true });
    await service?.stop();
  });

  it('serves /v1 provisioning on both nodes, without the old "disabled" warning', async () => {
    for (const [i, n] of nodes.entries()) {
      expect(n.server.stdout() + n.server.stderr(), `node ${i}`).not.toMatch(/provisioning API disabled/);
      const list = await call(i, 'GET', '/v1/access-points', { token });
      expect(list.status, list.text).toBe(200);
    }
    // The demo's APs were registered by the CLI: both nodes show them, with the default profile.
    const [a, b] = await Promise.all([call(0, 'GET', '/v1/access-points', { token }), call(1, 'GET', '/v1/access-points', { token })]);
    expect(a.json).toEqual(b.json);
  });

  it('registers on one node, publishes from the other, enrols and polls across both', async () => {
    // Node 0: the AP, its enrolment token and version 1.
    const created = await call(0, 'POST', '/v1/access-points', {
      token,
      body: { mac: '02:00:5e:00:53:01', name: 'Mairie hall', model: 'GL-AR300M', vendor: 'GL.iNet', placement: 'indoor' },
    });
    expect(created.status, created.text).toBe(201);
    const apId = (created.json.accessPoint as Json).id as string;
    const enrolToken = (created.json.enrolment as Json).token as string;
    expect(created.json.renderIssues).toEqual([]);
    const v1 = await call(1, 'GET', `/v1/access-points/${apId}/config`, { token });
    expect(v1.status, v1.text).toBe(200);
    expect(v1.json.version).toBe(1);

    // Node 1: new municipality variables publish version 2 for the AP.
    const vars = await call(1, 'PUT', '/v1/variables', { token, body: { ssid: 'Wi-Fi Mairie' } });
    expect(vars.status, vars.text).toBe(200);
    expect(vars.json.published).toContainEqual({ apId, version: 2 });
    // The same settings again render the same bundle: nothing new to publish.
    const again = await call(0, 'POST', `/v1/access-points/${apId}/config/publish`, { token });
    expect(again.status, again.text).toBe(200);
    expect(again.json.published).toBeNull();

    // The agent enrols through node 1; the token is spent for node 0 too.
    const enrol = await call(1, 'POST', '/v1/agent/enrol', { body: { token: enrolToken } });
    expect(enrol.status, enrol.text).toBe(201);
    expect(enrol.json).toMatchObject({ apId, mac: '02:00:5e:00:53:01' });
    const replay = await call(0, 'POST', '/v1/agent/enrol', { body: { token: enrolToken } });
    expect(replay.status).toBe(401);
    expect(replay.json.error).toMatchObject({ code: 'WFC_ENROLMENT_INVALID', message: 'The enrolment token is already used' });
    const key = enrol.json.apiKey as string;

    // It polls node 0 for its configuration: version 2, the bundle whose checksum is the ETag.
    const poll = await call(0, 'GET', '/v1/agent/config', { token: key });
    expect(poll.status, poll.text).toBe(200);
    expect(poll.headers.get('x-config-version')).toBe('2');
    const etag = poll.headers.get('etag')!;
    expect(poll.text).toMatch(/^wfc-bundle 1\n/);
    expect(poll.text).toContain('Wi-Fi Mairie');
    // Unchanged on node 1 too.
    expect((await call(1, 'GET', '/v1/agent/config', { token: key, headers: { 'if-none-match': etag } })).status).toBe(304);

    // It reports version 2 applied to node 1; node 0 sees it.
    const report = await call(1, 'POST', '/v1/agent/report', { token: key, body: { version: 2, status: 'applied' } });
    expect(report.status, report.text).toBe(200);
    expect(report.json).toMatchObject({ status: 'applied', currentVersion: 2, appliedVersion: 2 });
    const status = await call(0, 'GET', `/v1/access-points/${apId}/status`, { token });
    expect(status.json.config).toMatchObject({ version: 2, status: 'applied', appliedVersion: 2 });
    expect((status.json.agent as Json).enrolledAt).not.toBeNull();

    // The rows are where the operator's URL put them.
    const { rows } = await admin.query<{ version: number; actor: string }>(`SELECT version, actor FROM ${schema}.config_versions WHERE ap_id = $1 ORDER BY version`, [apId]);
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
  });
});
