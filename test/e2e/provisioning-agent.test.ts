/**
 * The agent's side of the API through real HTTP: enrolment (one time,
 * expiring, with a client certificate from the federation CA), the
 * configuration poll with If-None-Match and long-poll, reports (idempotent,
 * recovered from polls when lost), heartbeats, secret rotation with overlap;
 * and the long-poll answering within a second of a publish, on one node and
 * across two nodes through Redis pub/sub.
 */
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConfigNotifier } from '../../controller/adapters/redis/config-notifications.js';
import { decodeBundle } from '../../provisioning/render/bundle.js';
import { testPrefix, useRedis } from '../helpers/services.js';
import { apBody, startNode, type Node } from './provisioning-harness.js';

type Json = Record<string, unknown> & { error?: { code: string; message: string; fields?: Array<{ field: string }> } };

let n: Node;
beforeAll(async () => {
  n = await startNode();
});
afterAll(async () => {
  await n?.close();
});

async function register(node: Node, mac: string, over: Record<string, unknown> = {}) {
  const r = await node.call<Json>('POST', '/v1/access-points', { token: node.tokens.aRw, body: apBody(mac, over) });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return { id: (r.json.accessPoint as Json).id as string, token: (r.json.enrolment as Json).token as string };
}

async function enrolled(node: Node, mac: string, over: Record<string, unknown> = {}) {
  const ap = await register(node, mac, over);
  const e = await node.call<Json>('POST', '/v1/agent/enrol', { body: { token: ap.token } });
  expect(e.status, JSON.stringify(e.json)).toBe(201);
  return { ...ap, key: e.json.apiKey as string };
}

const poll = (node: Node, key: string, opts: { etags?: string[]; wait?: number } = {}) =>
  node.call('GET', `/v1/agent/config${opts.wait !== undefined ? `?wait=${opts.wait}` : ''}`, {
    token: key,
    headers: opts.etags?.length ? { 'if-none-match': opts.etags.map((t) => `"${t}"`).join(', ') } : {},
  });

const etagOf = (r: { headers: Headers }) => (r.headers.get('etag') ?? '').replace(/"/g, '');

describe('enrolment', () => {
  it('exchanges the one-time token for a device key once; a replay is refused with 401', async () => {
    const ap = await register(n, '02:10:00:00:00:01');
    const e = await n.call<Json>('POST', '/v1/agent/enrol', { body: { token: ap.token } });
    expect(e.status).toBe(201);
    expect(e.json).toMatchObject({ apId: ap.id, mac: '02:10:00:00:00:01', municipality: 'rennes', apiKey: expect.stringMatching(/^wfca_/), certificate: null });
    const replay = await n.call<Json>('POST', '/v1/agent/enrol', { body: { token: ap.token } });
    expect(replay.status).toBe(401);
    expect(replay.json.error).toMatchObject({ code: 'WFC_ENROLMENT_INVALID', message: 'The enrolment token is already used' });
    expect((await n.call<Json>('POST', '/v1/agent/enrol', { body: { token: 'wfce_forged' } })).json.error?.message).toBe('The enrolment token is unknown');
    const status = await n.call<Json>('GET', `/v1/access-points/${ap.id}/status`, { token: n.tokens.aRo });
    expect((status.json.agent as Json).enrolledAt).not.toBeNull();
    const ev = (await n.stores.audit.list({ tenantId: n.tenants.a.id })).find((x) => x.action === 'ap.enrol' && x.target === 'ap:02:10:00:00:00:01');
    expect(ev?.actor).toBe(`device:${ap.id}`);
    const metrics = await n.metrics.registry.getSingleMetricAsString('wfc_provisioning_enrolment_failures_total');
    expect(metrics).toMatch(/reason="used"} [1-9]/);
  });

  it('refuses an expired token', async () => {
    const short = await startNode({ settings: { enrolmentTtlSeconds: 1 } });
    try {
      const ap = await register(short, '02:10:00:00:00:02');
      await new Promise((r) => setTimeout(r, 1100));
      const e = await short.call<Json>('POST', '/v1/agent/enrol', { body: { token: ap.token } });
      expect(e.status).toBe(401);
      expect(e.json.error?.message).toBe('The enrolment token is expired');
    } finally {
      await short.close();
    }
  });

  it('validates the body, naming fields', async () => {
    const r = await n.call<Json>('POST', '/v1/agent/enrol', { body: { token: 5, extra: true } });
    expect(r.status).toBe(400);
    expect((r.json.error?.fields ?? []).map((f) => f.field).sort()).toEqual(['extra', 'token']);
  });

  it('signs a CSR with the federation CA, with the subject the CA decides', async () => {
    const ap = await register(n, '02:10:00:00:00:03');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const csr = forge.pki.createCertificationRequest();
    csr.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    csr.setSubject([{ name: 'commonName', value: 'i-am-the-admin' }]);
    csr.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
    const e = await n.call<Json>('POST', '/v1/agent/enrol', { body: { token: ap.token, csr: forge.pki.certificationRequestToPem(csr) } });
    expect(e.status, JSON.stringify(e.json)).toBe(201);
    expect(e.json.privateKey).toBeNull();
    const cert = new X509Certificate(e.json.certificate as string);
    const ca = new X509Certificate(e.json.caCertificate as string);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.subject).toContain('CN=02:10:00:00:00:03');
    expect(cert.subject).toContain('OU=rennes');
    expect(cert.subject).not.toContain('i-am-the-admin');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.ca).toBe(false);
    expect(cert.publicKey.export({ type: 'spki', format: 'pem' })).toBe(publicKey.export({ type: 'spki', format: 'pem' }));
    // The device fetches it again with its key; the CA certificate is public.
    const again = await n.call('GET', '/v1/agent/certificate', { token: e.json.apiKey as string });
    expect(again.text).toBe(e.json.certificate);
    expect((await n.call('GET', '/v1/ca.pem')).text).toBe(e.json.caCertificate);
  });

  it('generates the key pair for an agent without openssl, and refuses a bad CSR without using the token', async () => {
    const ap = await register(n, '02:10:00:00:00:04');
    const bad = await n.call<Json>('POST', '/v1/agent/enrol', { body: { token: ap.token, csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n' } });
    expect(bad.status).toBe(400);
    expect((bad.json.error?.fields ?? []).map((f) => f.field)).toEqual(['csr']);
    const e = await n.call<Json>('POST', '/v1/agent/enrol', { body: { token: ap.token, generateKey: true } });
    expect(e.status).toBe(201);
    const key = forge.pki.privateKeyFromPem(e.json.privateKey as string) as forge.pki.rsa.PrivateKey;
    const cert = forge.pki.certificateFromPem(e.json.certificate as string);
    expect((cert.publicKey as forge.pki.rsa.PublicKey).n.equals(key.n)).toBe(true);
  });

  it('re-enrolment replaces the device key: the old one gets 401', async () => {
    const ap = await enrolled(n, '02:10:00:00:00:05');
    expect((await poll(n, ap.key)).status).toBe(200);
    const t = await n.call<Json>('POST', `/v1/access-points/${ap.id}/enrolment`, { token: n.tokens.aRw });
    const e = await n.call<Json>('POST', '/v1/agent/enrol', { body: { token: t.json.token } });
    expect(e.status).toBe(201);
    const old = await poll(n, ap.key);
    expect(old.status).toBe(401);
    expect((old.json as Json).error?.code).toBe('WFC_DEVICE_UNAUTHENTICATED');
    expect((await poll(n, e.json.apiKey as string)).status).toBe(200);
  });
});

describe('configuration poll', () => {
  it('answers the bundle with its checksum as ETag, then 304 while If-None-Match holds it', async () => {
    const ap = await enrolled(n, '02:11:00:00:00:01');
    const first = await poll(n, ap.key);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/vnd\.wfc\.bundle/);
    expect(first.headers.get('x-config-version')).toBe('1');
    expect(createHash('sha256').update(first.text).digest('hex')).toBe(etagOf(first));
    expect(decodeBundle(first.text).map((f) => f.path)).toContain('etc/config/wireless');
    const second = await poll(n, ap.key, { etags: [etagOf(first)] });
    expect(second.status).toBe(304);
    expect(etagOf(second)).toBe(etagOf(first));
    const json = await n.call<Json>('GET', '/v1/agent/config', { token: ap.key, headers: { accept: 'application/json' } });
    expect(json.json).toMatchObject({ version: 1, checksum: etagOf(first) });
  });

  it('refuses API tokens, and wrong wait values naming the parameter', async () => {
    expect((await poll(n, n.tokens.aRw)).status).toBe(401);
    const ap = await enrolled(n, '02:11:00:00:00:02');
    for (const wait of ['-1', 'soon', '99999']) {
      const r = await n.call<Json>('GET', `/v1/agent/config?wait=${wait}`, { token: ap.key });
      expect(r.status).toBe(400);
      expect(r.json.error?.fields?.[0]?.field).toBe('wait');
    }
  });

  it('answers 404 while nothing was published (the municipality has no RADIUS client)', async () => {
    const tenant = await n.stores.tenants.create({ slug: 'vitre', name: 'Vitré', inseeCode: '35360', branding: { displayName: 'Vitré', primaryColor: '#000000', logoUrl: null }, policy: n.tenants.a.policy, wifi4eu: null });
    const token = (await (await import('../../controller/services/tokens.js')).createApiToken(n.stores, { tenant, name: 't', role: 'municipal-rw' }, 'test')).secret;
    const r = await n.call<Json>('POST', '/v1/access-points', { token, body: apBody('02:11:00:00:00:03') });
    expect(r.json.renderIssues).toEqual([expect.objectContaining({ field: 'radiusClientId' })]);
    const e = await n.call<Json>('POST', '/v1/agent/enrol', { body: { token: (r.json.enrolment as Json).token } });
    const p = await n.call<Json>('GET', '/v1/agent/config', { token: e.json.apiKey as string });
    expect(p.status).toBe(404);
    expect(p.json.error?.code).toBe('WFC_NO_CONFIG');
    // Adding a RADIUS client (CLI) and republishing gives it its first version.
    await n.stores.clients.add(tenant.id, { name: 'gw', network: '203.0.113.0/24', secret: 'vitre-radius-secret-0001', requireMessageAuthenticator: true, coaPort: 3799 });
    const pub = await n.call<Json>('POST', '/v1/config/publish', { token });
    expect((pub.json.published as Json[]).length).toBe(1);
    expect((await n.call('GET', '/v1/agent/config', { token: e.json.apiKey as string })).status).toBe(200);
  });

  it('long-poll: returns within one second of a publish, with the new version', async () => {
    const ap = await enrolled(n, '02:11:00:00:00:04');
    const v1 = await poll(n, ap.key);
    const started = Date.now();
    const waiting = poll(n, ap.key, { etags: [etagOf(v1)], wait: 20 });
    await new Promise((r) => setTimeout(r, 300));
    expect(n.rt.hub.size).toBeGreaterThanOrEqual(1);
    const published = Date.now();
    const patch = await n.call('PATCH', `/v1/access-points/${ap.id}`, { token: n.tokens.aRw, body: { variables: { ssid: 'Pushed' } } });
    expect(patch.status).toBe(200);
    const r = await waiting;
    const answered = Date.now();
    expect(r.status).toBe(200);
    expect(r.headers.get('x-config-version')).toBe('2');
    expect(r.text).toContain("option ssid 'Pushed'");
    expect(answered - published).toBeLessThan(1000);
    expect(answered - started).toBeGreaterThanOrEqual(300);
  });

  it('long-poll: answers 304 when the wait ends without a publish, and ends the wait when the client goes away', async () => {
    const ap = await enrolled(n, '02:11:00:00:00:05');
    const v1 = await poll(n, ap.key);
    const t0 = Date.now();
    const r = await poll(n, ap.key, { etags: [etagOf(v1)], wait: 1 });
    expect(r.status).toBe(304);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const ctrl = new AbortController();
    const gone = fetch(`${n.url}/v1/agent/config?wait=20`, { headers: { authorization: `Bearer ${ap.key}`, 'if-none-match': `"${etagOf(v1)}"` }, signal: ctrl.signal }).catch(() => null);
    await new Promise((res) => setTimeout(res, 200));
    const before = n.rt.hub.size;
    ctrl.abort();
    await gone;
    await new Promise((res) => setTimeout(res, 200));
    expect(n.rt.hub.size).toBe(before - 1);
  });
});

describe('reports and status', () => {
  it('records applied once (idempotent), and moves to pending on the next version', async () => {
    const ap = await enrolled(n, '02:12:00:00:00:01');
    const rep = (body: unknown) => n.call<Json>('POST', '/v1/agent/report', { token: ap.key, body });
    const r1 = await rep({ version: 1, status: 'applied' });
    expect(r1.json).toEqual({ status: 'applied', currentVersion: 1, appliedVersion: 1 });
    const r2 = await rep({ version: 1, status: 'applied' });
    expect(r2.json).toEqual(r1.json);
    expect(await n.metrics.registry.getSingleMetricAsString('wfc_provisioning_agent_reports_total')).toMatch(/status="applied",repeat="true"} [1-9]/);
    expect(await n.metrics.registry.getSingleMetricAsString('wfc_provisioning_publish_to_applied_seconds')).toMatch(/_count [1-9]/);
    expect((await rep({ version: 9, status: 'applied' })).json.error?.code).toBe('WFC_CONFIG_VERSION_NOT_FOUND');
    expect((await rep({ version: 1, status: 'error' })).json.error?.fields?.[0]?.field).toBe('message');
    expect((await rep({ version: '1', status: 'done' })).status).toBe(400);
    await n.call('PATCH', `/v1/access-points/${ap.id}`, { token: n.tokens.aRw, body: { variables: { ssid: 'V2' } } });
    const st = await n.call<Json>('GET', `/v1/access-points/${ap.id}/status`, { token: n.tokens.aRo });
    expect(st.json.config).toMatchObject({ version: 2, status: 'pending', appliedVersion: 1 });
    const err = await rep({ version: 2, status: 'error', message: 'uci: Parse error' });
    expect(err.json).toEqual({ status: 'error', currentVersion: 2, appliedVersion: 1 });
    const st2 = await n.call<Json>('GET', `/v1/access-points/${ap.id}/status`, { token: n.tokens.aRo });
    expect((st2.json.config as Json).error).toMatchObject({ version: 2, message: 'uci: Parse error' });
  });

  it('recovers a lost "applied" report from the next poll: status never sticks at pending', async () => {
    const ap = await enrolled(n, '02:12:00:00:00:02');
    const v1 = await poll(n, ap.key);
    // The agent applied v1 but its report was lost; it polls with v1's checksum.
    expect((await poll(n, ap.key, { etags: [etagOf(v1)] })).status).toBe(304);
    const st = await n.call<Json>('GET', `/v1/access-points/${ap.id}/status`, { token: n.tokens.aRo });
    expect(st.json.config).toMatchObject({ status: 'applied', appliedVersion: 1 });
  });

  it('recovers a lost "error" report: the device keeps its old version and lists the new one as failed', async () => {
    const ap = await enrolled(n, '02:12:00:00:00:03');
    const v1 = await poll(n, ap.key);
    await n.call('POST', '/v1/agent/report', { token: ap.key, body: { version: 1, status: 'applied' } });
    await n.call('PATCH', `/v1/access-points/${ap.id}`, { token: n.tokens.aRw, body: { variables: { ssid: 'Broken' } } });
    const v2 = await poll(n, ap.key, { etags: [etagOf(v1)] });
    expect(v2.status).toBe(200);
    // Applying v2 failed, the agent rolled back to v1 and its error report was lost.
    const again = await poll(n, ap.key, { etags: [etagOf(v1), etagOf(v2)] });
    expect(again.status).toBe(304);
    const st = await n.call<Json>('GET', `/v1/access-points/${ap.id}/status`, { token: n.tokens.aRo });
    expect(st.json.config).toMatchObject({ version: 2, status: 'error', appliedVersion: 1, error: { version: 2 } });
  });

  it('counts polls and heartbeats as presence: online, with agent info', async () => {
    const ap = await enrolled(n, '02:12:00:00:00:04');
    const hb = await n.call('POST', '/v1/agent/heartbeat', { token: ap.key, body: { agentVersion: '1.0.0', firmware: 'OpenWrt 23.05', uptime: 42 } });
    expect(hb.status).toBe(204);
    expect((await n.call<Json>('POST', '/v1/agent/heartbeat', { token: ap.key, body: { cpu: 'hot' } })).status).toBe(400);
    const st = await n.call<Json>('GET', `/v1/access-points/${ap.id}/status`, { token: n.tokens.aRo });
    expect(st.json.agent).toMatchObject({ online: true, lastSeenAt: expect.any(String) });
    await n.rt.presence.flush();
    await n.rt.refreshGauges();
    const st2 = await n.call<Json>('GET', `/v1/access-points/${ap.id}/status`, { token: n.tokens.aRo });
    expect((st2.json.agent as Json).info).toEqual({ agentVersion: '1.0.0', firmware: 'OpenWrt 23.05', uptime: '42' });
    expect(await n.metrics.registry.getSingleMetricAsString('wfc_provisioning_access_points_online')).toMatch(/tenant="rennes"} [1-9]/);
  });
});

describe('RADIUS secret rotation with overlap', () => {
  it('publishes the new secret, keeps the old one until every AP applied it, then swaps', async () => {
    const [x, y] = [await enrolled(n, '02:13:00:00:00:01', { gateway: 'coovachilli' }), await enrolled(n, '02:13:00:00:00:02', { gateway: 'coovachilli' })];
    const oldSecret = (await n.stores.clients.list(n.tenants.a.id))[0]!.secret;
    const start = await n.call<Json & { rotation: Json }>('POST', '/v1/radius-secret-rotations', { token: n.tokens.aRw, body: { clientId: n.clients.a } });
    expect(start.status).toBe(201);
    const rotationId = start.json.rotation.id as string;
    const fetchNew = async (key: string) => {
      const r = await poll(n, key);
      const chilli = decodeBundle(r.text).find((f) => f.path === 'etc/config/chilli')!.content;
      return { version: Number(r.headers.get('x-config-version')), secret: /option radiussecret '([^']+)'/.exec(chilli)![1]! };
    };
    const nx = await fetchNew(x.key);
    const ny = await fetchNew(y.key);
    expect(nx.secret).not.toBe(oldSecret);
    expect(ny.secret).toBe(nx.secret);
    // Old secret still the client's while y has not applied.
    await n.call('POST', '/v1/agent/report', { token: x.key, body: { version: nx.version, status: 'applied' } });
    expect((await n.stores.clients.list(n.tenants.a.id))[0]!.secret).toBe(oldSecret);
    const open = await n.call<{ items: Json[] }>('GET', '/v1/radius-secret-rotations', { token: n.tokens.aRo });
    expect(open.json.items.find((r) => r.id === rotationId)?.pendingApIds).toEqual(expect.arrayContaining([y.id]));
    await n.call('POST', '/v1/agent/report', { token: y.key, body: { version: ny.version, status: 'applied' } });
    const client = (await n.stores.clients.list(n.tenants.a.id))[0]!;
    expect(client.secret).toBe(nx.secret);
    const done = await n.call<{ items: Json[] }>('GET', '/v1/radius-secret-rotations', { token: n.tokens.aRo });
    expect(done.json.items.find((r) => r.id === rotationId)?.completedAt).not.toBeNull();
    // Later renders keep the (now current) secret: nothing new to publish.
    expect((await n.call<Json>('POST', `/v1/access-points/${x.id}/config/publish`, { token: n.tokens.aRw })).json.published).toBeNull();
  });
});

describe('conformance', () => {
  it('every JSON response matched its documented schema', () => {
    expect(n.nonConforming).toEqual([]);
  });
});

const redis = await useRedis();
afterAll(async () => {
  await redis?.stop();
});

describe.skipIf(!redis)('two nodes, one database, Redis pub/sub', () => {
  let dir: string;
  let one: Node;
  let two: Node;
  const conns: Redis[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wfc-prov-2nodes-'));
    const prefix = testPrefix('prov');
    const notifier = () => {
      const c = new Redis(redis!.url);
      conns.push(c);
      return createRedisConfigNotifier({ redis: c, prefix });
    };
    one = await startNode({ dir, notifier: notifier() });
    two = await startNode({ dir, notifier: notifier(), seed: false });
    await Promise.all([one.rt.deps.notifier.ready(), two.rt.deps.notifier.ready()]);
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    await Promise.all([one?.rt.deps.notifier.close(), two?.rt.deps.notifier.close()]);
    await Promise.all(conns.map((c) => c.quit()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a poll waiting on node two answers within one second of a publish on node one', async () => {
    const ap = await enrolled(one, '02:14:00:00:00:01');
    const v1 = await poll(two, ap.key);
    expect(v1.status).toBe(200);
    const waiting = poll(two, ap.key, { etags: [etagOf(v1)], wait: 20 });
    await new Promise((r) => setTimeout(r, 300));
    expect(two.rt.hub.size).toBe(1);
    const published = Date.now();
    await one.call('PATCH', `/v1/access-points/${ap.id}`, { token: one.tokens.aRw, body: { name: 'Moved' } }).then(() =>
      one.call('PATCH', `/v1/access-points/${ap.id}`, { token: one.tokens.aRw, body: { variables: { ssid: 'Across nodes' } } }),
    );
    const r = await waiting;
    expect(r.status).toBe(200);
    expect(r.text).toContain("option ssid 'Across nodes'");
    expect(Date.now() - published).toBeLessThan(1000);
  });
});
