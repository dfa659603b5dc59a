/**
 * The /v1 API for municipal IT, route by route, through real HTTP: tokens
 * and roles, tenant isolation (404 across municipalities), the catalog's
 * errors with field-level details, every change audited, access points,
 * configuration versions, variables, rotations, import and export; and the
 * OpenAPI document kept true both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisioningRouter } from '../../provisioning/app.js';
import { openApiDocument } from '../../provisioning/openapi.js';
import { createOperationsRouter } from '../../provisioning/operations.js';
import { createLogger } from '../../controller/log.js';
import { documentedRoutes, routesOf } from './provisioning-schema.js';
import { decodeBundle } from '../../provisioning/render/bundle.js';
import { parseUci } from '../../provisioning/render/uci.js';
import { apBody, RADIUS_SECRET_A, startNode, type Node } from './provisioning-harness.js';

type Json = Record<string, unknown> & { error?: { code: string; message: string; fields?: Array<{ field: string; message: string }> } };

let n: Node;
beforeAll(async () => {
  n = await startNode();
});
afterAll(async () => {
  await n?.close();
});

const createAp = async (mac: string, over: Record<string, unknown> = {}, token = n.tokens.aRw) => {
  const r = await n.call<Json>('POST', '/v1/access-points', { token, body: apBody(mac, over) });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json as { accessPoint: Json & { id: string; mac: string }; enrolment: { token: string; expiresAt: string }; renderIssues: unknown[] };
};
const never = (): Promise<never> => Promise.reject(new Error('not called'));
const fieldsOf = (j: Json) => (j.error?.fields ?? []).map((f) => f.field).sort();

describe('authentication and roles', () => {
  it('answers 401 without a token, with an unknown one, with a device key', async () => {
    for (const token of [null, 'wfc_nope', 'not-even-a-token', 'wfca_devicekeyshape']) {
      const r = await n.call<Json>('GET', '/v1/access-points', { token });
      expect(r.status).toBe(401);
      expect(r.json.error?.code).toBe('WFC_UNAUTHENTICATED');
    }
    const malformed = await fetch(`${n.url}/v1/access-points`, { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
  });

  it('answers 401 to a revoked token', async () => {
    const created = await n.call<Json>('POST', '/v1/tokens', { token: n.tokens.aRw, body: { name: 'temp', role: 'municipal-ro' } });
    expect(created.status).toBe(201);
    const secret = created.json.token as string;
    expect((await n.call('GET', '/v1/access-points', { token: secret })).status).toBe(200);
    expect((await n.call('DELETE', `/v1/tokens/${created.json.id as string}`, { token: n.tokens.aRw })).status).toBe(204);
    const r = await n.call<Json>('GET', '/v1/access-points', { token: secret });
    expect(r.status).toBe(401);
  });

  it('lets a read-only token read but not write: 403', async () => {
    expect((await n.call('GET', '/v1/access-points', { token: n.tokens.aRo })).status).toBe(200);
    const r = await n.call<Json>('POST', '/v1/access-points', { token: n.tokens.aRo, body: apBody('02:00:00:00:01:01') });
    expect(r.status).toBe(403);
    expect(r.json.error).toMatchObject({ code: 'WFC_FORBIDDEN', message: 'This token may not change anything' });
    expect((await n.call('PUT', '/v1/variables', { token: n.tokens.aRo, body: {} })).status).toBe(403);
  });

  it('keeps federation-wide actions to admin tokens', async () => {
    expect((await n.call('PUT', '/v1/federation/variables', { token: n.tokens.aRw, body: {} })).status).toBe(403);
    const r = await n.call<Json>('GET', '/v1/access-points', { token: n.tokens.admin });
    expect(r.status).toBe(400);
    expect(fieldsOf(r.json)).toEqual(['tenant']);
    expect((await n.call('GET', '/v1/access-points?tenant=rennes', { token: n.tokens.admin })).status).toBe(200);
    expect((await n.call<Json>('GET', '/v1/access-points?tenant=nowhere', { token: n.tokens.admin })).status).toBe(404);
  });
});

describe('tenant isolation', () => {
  let id: string;
  beforeAll(async () => {
    id = (await createAp('02:00:00:00:02:01')).accessPoint.id;
  });

  it.each([
    ['GET', ''],
    ['PATCH', ''],
    ['DELETE', ''],
    ['POST', '/enrolment'],
    ['GET', '/status'],
    ['GET', '/config'],
    ['GET', '/config/versions'],
    ['GET', '/config/versions/1'],
    ['GET', '/config/diff'],
    ['POST', '/config/rollback'],
    ['POST', '/config/publish'],
    ['GET', '/config/preview'],
  ])("answers 404 to %s /access-points/<another municipality's AP>%s", async (method, suffix) => {
    const body = method === 'PATCH' ? { name: 'stolen' } : suffix === '/config/rollback' ? { version: 1 } : undefined;
    const r = await n.call<Json>(method, `/v1/access-points/${id}${suffix}`, { token: n.tokens.bRw, body });
    expect(r.status).toBe(404);
    expect(r.json.error?.code).toBe('WFC_AP_NOT_FOUND');
    // Exactly what an unknown id gets: nothing tells the AP exists.
    const unknown = await n.call<Json>(method, `/v1/access-points/00000000-0000-0000-0000-000000000000${suffix}`, { token: n.tokens.bRw, body });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error?.message).toBe(r.json.error?.message.replace(id, '00000000-0000-0000-0000-000000000000'));
  });

  it("leaves the AP untouched and out of the other municipality's lists", async () => {
    const own = await n.call<Json>('GET', `/v1/access-points/${id}`, { token: n.tokens.aRo });
    expect(own.json.name).toBe('AP 02:00:00:00:02:01');
    const list = await n.call<{ items: Json[] }>('GET', '/v1/access-points', { token: n.tokens.bRw });
    expect(list.json.items.map((a) => a.id)).not.toContain(id);
  });

  it('ignores a body that names another tenant, and 404s a ?tenant= naming one', async () => {
    const r = await n.call<Json>('POST', '/v1/access-points', { token: n.tokens.bRw, body: { ...apBody('02:00:00:00:02:02'), tenantId: n.tenants.a.id } });
    expect(r.status).toBe(400);
    expect(fieldsOf(r.json)).toEqual(['tenantId']);
    expect((await n.call('GET', '/v1/access-points?tenant=rennes', { token: n.tokens.bRw })).status).toBe(404);
    expect((await n.call('GET', '/v1/access-points?tenant=brest', { token: n.tokens.bRw })).status).toBe(200);
  });

  it("404s another municipality's token on revoke", async () => {
    const other = await n.call<{ items: Json[] }>('GET', '/v1/tokens', { token: n.tokens.aRw });
    const r = await n.call<Json>('DELETE', `/v1/tokens/${other.json.items[0]!.id as string}`, { token: n.tokens.bRw });
    expect(r.status).toBe(404);
    expect(r.json.error?.code).toBe('WFC_TOKEN_NOT_FOUND');
  });
});

describe('access points', () => {
  it('registers an AP with a normalised MAC, a NAS-Identifier, an enrolment token and version 1', async () => {
    const r = await createAp('AA-BB-CC-00-10-01', { name: 'Mairie, hall', latitude: 48.1113, longitude: -1.68 });
    expect(r.accessPoint).toMatchObject({ mac: 'aa:bb:cc:00:10:01', nasIdentifier: 'rennes-aabbcc001001', firmware: 'openwrt', gateway: 'municipality', bands: ['2g', '5g'] });
    expect(r.accessPoint.config).toMatchObject({ version: 1, status: 'pending' });
    expect(r.accessPoint.agent).toMatchObject({ online: false, enrolledAt: null });
    expect(r.enrolment.token).toMatch(/^wfce_/);
    expect(r.renderIssues).toEqual([]);
    const got = await n.call<Json>('GET', `/v1/access-points/${r.accessPoint.id}`, { token: n.tokens.aRo });
    expect(got.json).toEqual(r.accessPoint);
  });

  it.each(['aa:bb:cc:00:10:02', 'AABB.CC00.1002', 'aabbcc001002'])('refuses a MAC registered anywhere in the federation, in any notation (%s): 409', async (mac) => {
    if (mac === 'aa:bb:cc:00:10:02') await createAp(mac);
    else {
      for (const token of [n.tokens.aRw, n.tokens.bRw]) {
        const r = await n.call<Json>('POST', '/v1/access-points', { token, body: apBody(mac) });
        expect(r.status).toBe(409);
        expect(r.json.error).toMatchObject({ code: 'WFC_AP_EXISTS', message: 'An access point with MAC aa:bb:cc:00:10:02 is already registered' });
      }
    }
  });

  it('names every bad field: malformed MAC, coordinates, wrong types, unknown fields, bad variables', async () => {
    const r = await n.call<Json>('POST', '/v1/access-points', {
      token: n.tokens.aRw,
      body: { mac: 'zz:zz', name: 42, latitude: 91, longitude: 'east', placement: 'roof', bands: ['6g'], colour: 'red', variables: { ssid: '', channel2g: 14, foo: 1 }, ssids: [{ security: 'wpa2-enterprise', captivePortal: true }] },
    });
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe('WFC_VALIDATION');
    expect(fieldsOf(r.json)).toEqual(['bands.0', 'colour', 'latitude', 'longitude', 'mac', 'name', 'placement', 'ssids.0.captivePortal', 'variables.channel2g', 'variables.foo', 'variables.ssid']);
    expect(r.json.error?.fields?.find((f) => f.field === 'mac')?.message).toBe('not a MAC address: "zz:zz"');
    expect(r.json.error?.fields?.find((f) => f.field === 'colour')?.message).toBe('unknown field');
    expect(r.json.error?.message).toMatch(/^Invalid input: /);
  });

  it('requires latitude and longitude together', async () => {
    const r = await n.call<Json>('POST', '/v1/access-points', { token: n.tokens.aRw, body: apBody('02:00:00:00:03:01', { longitude: null }) });
    expect(r.status).toBe(400);
    expect(fieldsOf(r.json)).toEqual(['longitude']);
  });

  it('refuses a RADIUS client of another municipality', async () => {
    const r = await n.call<Json>('POST', '/v1/access-points', { token: n.tokens.aRw, body: apBody('02:00:00:00:03:02', { radiusClientId: n.clients.b }) });
    expect(r.status).toBe(400);
    expect(fieldsOf(r.json)).toEqual(['radiusClientId']);
  });

  it('answers invalid JSON, a non-object, a wrong content type and an oversized body with 4xx, writing nothing', async () => {
    const before = (await n.stores.audit.list({})).length;
    const bad = await n.call<Json>('POST', '/v1/access-points', { token: n.tokens.aRw, raw: { type: 'application/json', data: '{"mac": "aa:bb' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.code).toBe('WFC_BAD_JSON');
    const arr = await n.call<Json>('POST', '/v1/access-points', { token: n.tokens.aRw, body: [1, 2] });
    expect(arr.status).toBe(400);
    expect(fieldsOf(arr.json)).toEqual(['(body)']);
    const form = await n.call<Json>('POST', '/v1/access-points', { token: n.tokens.aRw, raw: { type: 'application/x-www-form-urlencoded', data: 'mac=aa' } });
    expect(form.status).toBe(415);
    expect(form.json.error?.code).toBe('WFC_UNSUPPORTED_MEDIA_TYPE');
    const big = await n.call<Json>('POST', '/v1/access-points', { token: n.tokens.aRw, body: apBody('02:00:00:00:03:03', { site: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    expect(big.json.error?.code).toBe('WFC_BODY_TOO_LARGE');
    expect((await n.stores.audit.list({})).length).toBe(before);
  });

  it('patches some fields, keeps the others, republishes when the configuration changes, and audits before/after', async () => {
    const { accessPoint } = await createAp('02:00:00:00:04:01', { name: 'Before' });
    const p = await n.call<Json & { accessPoint: Json }>('PATCH', `/v1/access-points/${accessPoint.id}`, { token: n.tokens.aRw, body: { name: 'After', variables: { ssid: 'Rennes Wi-Fi' } } });
    expect(p.status).toBe(200);
    expect(p.json.accessPoint).toMatchObject({ name: 'After', serial: 'SN-02:00:00:00:04:01', variables: { ssid: 'Rennes Wi-Fi' } });
    expect((p.json.accessPoint.config as Json).version).toBe(2);
    const same = await n.call<Json & { accessPoint: Json }>('PATCH', `/v1/access-points/${accessPoint.id}`, { token: n.tokens.aRw, body: { name: 'After' } });
    expect((same.json.accessPoint.config as Json).version).toBe(2);
    const bad = await n.call<Json>('PATCH', `/v1/access-points/${accessPoint.id}`, { token: n.tokens.aRw, body: { latitude: 'north', unknown: 1 } });
    expect(fieldsOf(bad.json)).toEqual(['latitude', 'unknown']);
    const audit = await n.call<{ items: Json[] }>('GET', '/v1/audit?limit=20', { token: n.tokens.aRo });
    const update = audit.json.items.find((e) => e.action === 'ap.update' && e.target === 'ap:02:00:00:00:04:01');
    expect(update).toMatchObject({ before: expect.objectContaining({ name: 'Before' }), after: expect.objectContaining({ name: 'After' }) });
    expect(update?.actor).toMatch(/^token:/);
  });

  it('deletes an AP: 204, then 404, and audited', async () => {
    const { accessPoint } = await createAp('02:00:00:00:05:01');
    expect((await n.call('DELETE', `/v1/access-points/${accessPoint.id}`, { token: n.tokens.aRw })).status).toBe(204);
    expect((await n.call('GET', `/v1/access-points/${accessPoint.id}`, { token: n.tokens.aRw })).status).toBe(404);
    expect((await n.call('DELETE', `/v1/access-points/${accessPoint.id}`, { token: n.tokens.aRw })).status).toBe(404);
    const ev = (await n.stores.audit.list({ tenantId: n.tenants.a.id })).find((e) => e.action === 'ap.delete' && e.target === 'ap:02:00:00:00:05:01');
    expect(ev?.before).toMatchObject({ mac: '02:00:00:00:05:01' });
    expect(ev?.after).toBeNull();
  });

  it('issues a new enrolment token on request, and shows status', async () => {
    const { accessPoint, enrolment } = await createAp('02:00:00:00:06:01');
    const again = await n.call<Json>('POST', `/v1/access-points/${accessPoint.id}/enrolment`, { token: n.tokens.aRw });
    expect(again.status).toBe(201);
    expect(again.json.token).not.toBe(enrolment.token);
    const st = await n.call<Json>('GET', `/v1/access-points/${accessPoint.id}/status`, { token: n.tokens.aRo });
    expect(st.json).toMatchObject({ config: { version: 1, status: 'pending' }, agent: { online: false } });
  });
});

describe('configuration versions', () => {
  let id: string;
  beforeAll(async () => {
    id = (await createAp('02:00:00:00:07:01', { firmware: 'openwrt', gateway: 'coovachilli' })).accessPoint.id;
    await n.call('PATCH', `/v1/access-points/${id}`, { token: n.tokens.aRw, body: { variables: { ssid: 'Second' } } });
  });

  it('shows the current version with secrets masked, valid UCI', async () => {
    const r = await n.call<Json & { files: Array<{ path: string; content: string }> }>('GET', `/v1/access-points/${id}/config`, { token: n.tokens.aRo });
    expect(r.json).toMatchObject({ version: 2, reason: 'ap.update', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const chilli = r.json.files.find((f) => f.path === 'etc/config/chilli')!;
    expect(chilli.content).toContain("option radiussecret '********'");
    expect(JSON.stringify(r.json)).not.toContain(RADIUS_SECRET_A);
    for (const f of r.json.files) expect(parseUci(f.content).ok).toBe(true);
  });

  it('lists history newest first, gets one version, diffs two', async () => {
    const h = await n.call<{ items: Json[] }>('GET', `/v1/access-points/${id}/config/versions`, { token: n.tokens.aRo });
    expect(h.json.items.map((v) => v.version)).toEqual([2, 1]);
    expect((await n.call<Json>('GET', `/v1/access-points/${id}/config/versions/1`, { token: n.tokens.aRo })).json.version).toBe(1);
    expect((await n.call<Json>('GET', `/v1/access-points/${id}/config/versions/9`, { token: n.tokens.aRo })).json.error?.code).toBe('WFC_CONFIG_VERSION_NOT_FOUND');
    const bad = await n.call<Json>('GET', `/v1/access-points/${id}/config/versions/one`, { token: n.tokens.aRo });
    expect(fieldsOf(bad.json)).toEqual(['version']);
    const d = await n.call('GET', `/v1/access-points/${id}/config/diff`, { token: n.tokens.aRo });
    expect(d.status).toBe(200);
    expect(d.headers.get('content-type')).toMatch(/^text\/x-diff/);
    expect(d.text).toContain('--- v1/etc/config/wireless');
    expect(d.text).toContain("-\toption ssid 'Wi-Fi public'");
    expect(d.text).toContain("+\toption ssid 'Second'");
    expect(d.text).not.toContain(RADIUS_SECRET_A);
    expect((await n.call('GET', `/v1/access-points/${id}/config/diff?from=2&to=2`, { token: n.tokens.aRo })).text).toBe('');
    expect((await n.call<Json>('GET', `/v1/access-points/${id}/config/diff?from=0`, { token: n.tokens.aRo })).status).toBe(400);
  });

  it('rolls back by publishing the old content as a new version; a rollback to the current content publishes nothing', async () => {
    const r = await n.call<Json & { published: Json }>('POST', `/v1/access-points/${id}/config/rollback`, { token: n.tokens.aRw, body: { version: 1 } });
    expect(r.status).toBe(201);
    expect(r.json.published).toMatchObject({ version: 3, reason: 'rollback:1' });
    const v1 = await n.call<Json>('GET', `/v1/access-points/${id}/config/versions/1`, { token: n.tokens.aRo });
    expect(r.json.published.checksum).toBe(v1.json.checksum);
    const again = await n.call<Json>('POST', `/v1/access-points/${id}/config/rollback`, { token: n.tokens.aRw, body: { version: 1 } });
    expect(again.status).toBe(200);
    expect(again.json.published).toBeNull();
    expect((await n.call('POST', `/v1/access-points/${id}/config/rollback`, { token: n.tokens.aRw, body: { version: 'one' } })).status).toBe(400);
    // Publishing re-renders from settings: back to version 2's content.
    const pub = await n.call<Json & { published: Json }>('POST', `/v1/access-points/${id}/config/publish`, { token: n.tokens.aRw });
    expect(pub.json.published).toMatchObject({ version: 4, reason: 'republish' });
    expect((await n.call<Json>('POST', `/v1/access-points/${id}/config/publish`, { token: n.tokens.aRw })).json.published).toBeNull();
  });

  it('previews any firmware without publishing', async () => {
    const r = await n.call<Json & { files: Array<{ path: string; content: string }> }>('GET', `/v1/access-points/${id}/config/preview?firmware=hostapd`, { token: n.tokens.aRo });
    expect(r.json.files.map((f) => f.path)).toEqual(['etc/hostapd/hostapd-radio0.conf', 'etc/hostapd/hostapd-radio1.conf']);
    expect((await n.call<Json>('GET', `/v1/access-points/${id}/config/preview?firmware=ios`, { token: n.tokens.aRo })).status).toBe(400);
    const h = await n.call<{ items: Json[] }>('GET', `/v1/access-points/${id}/config/versions`, { token: n.tokens.aRo });
    expect(h.json.items).toHaveLength(4);
  });

  it('says why an AP cannot be rendered: 409 naming the field, and no version', async () => {
    const { accessPoint, renderIssues } = await createAp('02:00:00:00:07:02', { gateway: 'opennds', variables: {} }, n.tokens.aRw).then(async (r) => {
      // Without a portal URL the captive portal gateway cannot be configured.
      await n.call('PUT', '/v1/variables', { token: n.tokens.aRw, body: { portalUrl: null } });
      return r;
    });
    expect(renderIssues).toEqual([]);
    const r = await n.call<Json>('POST', `/v1/access-points/${accessPoint.id}/config/publish`, { token: n.tokens.aRw });
    expect(r.status).toBe(409);
    expect(r.json.error?.code).toBe('WFC_RENDER_FAILED');
    expect(fieldsOf(r.json)).toEqual(['model.gateway.portalUrl']);
    await n.call('PUT', '/v1/variables', { token: n.tokens.aRw, body: {} });
  });
});

describe('variables', () => {
  it('replaces the municipality variables and republishes its APs in the same change', async () => {
    const { accessPoint } = await createAp('02:00:00:00:08:01');
    const r = await n.call<Json & { published: Array<{ apId: string; version: number }> }>('PUT', '/v1/variables', { token: n.tokens.aRw, body: { ssid: 'Rennes Ville' } });
    expect(r.status).toBe(200);
    expect(r.json.published).toContainEqual({ apId: accessPoint.id, version: 2 });
    expect((await n.call<Json>('GET', '/v1/variables', { token: n.tokens.aRo })).json.variables).toEqual({ ssid: 'Rennes Ville' });
    const bad = await n.call<Json>('PUT', '/v1/variables', { token: n.tokens.aRw, body: { ssid: 7, guestAddress: '10.0.0.0/8', mystery: true } });
    expect(fieldsOf(bad.json)).toEqual(['guestAddress', 'mystery', 'ssid']);
    await n.call('PUT', '/v1/variables', { token: n.tokens.aRw, body: {} });
  });

  it('lets an admin set federation variables for every municipality, audited', async () => {
    const r = await n.call<Json>('PUT', '/v1/federation/variables', { token: n.tokens.admin, body: { walledGarden: ['cgu.test.example'] } });
    expect(r.status).toBe(200);
    expect((await n.call<Json>('GET', '/v1/federation/variables', { token: n.tokens.bRw })).json.variables).toEqual({ walledGarden: ['cgu.test.example'] });
    const ev = (await n.stores.audit.list({ tenantId: null })).find((e) => e.action === 'variables.set');
    expect(ev).toMatchObject({ before: {}, after: { walledGarden: ['cgu.test.example'] } });
  });
});

describe('tokens', () => {
  it('creates (shown once), lists without secrets, revokes; audit has before/after', async () => {
    const c = await n.call<Json>('POST', '/v1/tokens', { token: n.tokens.aRw, body: { name: 'ci', role: 'municipal-ro' } });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({ name: 'ci', role: 'municipal-ro', tenant: 'rennes', token: expect.stringMatching(/^wfc_/) });
    const list = await n.call<{ items: Json[] }>('GET', '/v1/tokens', { token: n.tokens.aRo });
    expect(list.json.items.map((t) => t.id)).toContain(c.json.id);
    expect(list.text).not.toContain(c.json.token as string);
    expect(list.text).not.toMatch(/tokenHash/);
    expect((await n.call('DELETE', `/v1/tokens/${c.json.id as string}`, { token: n.tokens.aRw })).status).toBe(204);
    const ev = (await n.stores.audit.list({ tenantId: n.tenants.a.id })).find((e) => e.action === 'token.revoke' && e.target === `token:${c.json.id as string}`);
    expect(ev?.before).toMatchObject({ revokedAt: null });
    expect(ev?.after).toMatchObject({ revokedAt: expect.any(String) });
  });

  it('refuses an admin role from a municipality, a municipal role federation-wide, unknown roles', async () => {
    expect(fieldsOf((await n.call<Json>('POST', '/v1/tokens', { token: n.tokens.aRw, body: { name: 'x', role: 'admin' } })).json)).toEqual(['role']);
    expect(fieldsOf((await n.call<Json>('POST', '/v1/tokens', { token: n.tokens.admin, body: { name: 'x', role: 'municipal-rw' } })).json)).toEqual(['role']);
    expect(fieldsOf((await n.call<Json>('POST', '/v1/tokens', { token: n.tokens.aRw, body: { name: '', role: 'root' } })).json)).toEqual(['name', 'role']);
    const admin = await n.call<Json>('POST', '/v1/tokens?tenant=brest', { token: n.tokens.admin, body: { name: 'for brest', role: 'municipal-rw' } });
    expect(admin.json).toMatchObject({ tenant: 'brest' });
  });
});

describe('RADIUS secret rotation through the API', () => {
  it('starts, lists, refuses a second one, completes on demand', async () => {
    const { accessPoint } = await createAp('02:00:00:00:09:01', { gateway: 'coovachilli' });
    const r = await n.call<Json & { rotation: Json; published: Json[]; newSecret: string }>('POST', '/v1/radius-secret-rotations', { token: n.tokens.aRw, body: { clientId: n.clients.a } });
    expect(r.status).toBe(201);
    expect(r.json.rotation.pendingApIds).toContain(accessPoint.id);
    expect(r.json.published).toContainEqual({ apId: accessPoint.id, version: 2 });
    // The new secret is shown once, at the start, for gateways configured by hand; nowhere else.
    const { newSecret, ...rest } = r.json;
    expect(newSecret).toMatch(/^\S{16,}$/);
    expect(JSON.stringify(rest)).not.toMatch(/secret"/i);
    expect(JSON.stringify((await n.call<Json>('GET', '/v1/radius-secret-rotations', { token: n.tokens.aRo })).json)).not.toContain(newSecret);
    expect((await n.call<Json>('POST', '/v1/radius-secret-rotations', { token: n.tokens.aRw, body: { clientId: n.clients.a } })).json.error?.code).toBe('WFC_ROTATION_IN_PROGRESS');
    expect((await n.call<Json>('POST', '/v1/radius-secret-rotations', { token: n.tokens.bRw, body: { clientId: n.clients.a } })).json.error?.code).toBe('WFC_CLIENT_NOT_FOUND');
    expect((await n.call<{ items: Json[] }>('GET', '/v1/radius-secret-rotations', { token: n.tokens.aRo })).json.items[0]).toMatchObject({ completedAt: null });
    expect((await n.call('POST', `/v1/radius-secret-rotations/${r.json.rotation.id as string}/complete`, { token: n.tokens.bRw })).status).toBe(404);
    const done = await n.call<Json>('POST', `/v1/radius-secret-rotations/${r.json.rotation.id as string}/complete`, { token: n.tokens.aRw });
    expect(done.json.completedAt).not.toBeNull();
    const client = (await n.stores.clients.list(n.tenants.a.id))[0]!;
    expect(client.secret).not.toBe(RADIUS_SECRET_A);
    expect(client.secret).toBe(newSecret);
    // The published bundle carries the secret that is now the client's.
    const v = await n.provisioning.versions.current(n.tenants.a.id, accessPoint.id);
    const chilli = decodeBundle(v!.bundle).find((f) => f.path === 'etc/config/chilli')!;
    expect(chilli.content).toContain(`option radiussecret '${client.secret}'`);
  });
});

describe('CSV import and inventory export', () => {
  it('imports row by row with a report; a dry run writes nothing', async () => {
    const csv = [
      'mac,name,vendor,model,serial,site,latitude,longitude,placement,bands',
      '02:00:00:00:0a:01,Halles,GL.iNet,AR300M,S1,Les Halles,48.1,-1.6,indoor,2g 5g',
      '"02-00-00-00-0A-02","Parc, entrée",Ubiquiti,U6,S2,Parc,48.2,-1.7,outdoor,2g',
      'nonsense,Broken,,,,,91,,roof,',
      '02:00:00:00:0a:01,Duplicate,,,,,,,,',
      '02:00:00:00:0a:03,Short',
    ].join('\r\n');
    const dry = await n.call<Json & { rows: Json[] }>('POST', '/v1/access-points/import?dryRun=true', { token: n.tokens.aRw, raw: { type: 'text/csv', data: csv } });
    expect(dry.status).toBe(200);
    expect(dry.json.rows.map((r) => r.status)).toEqual(['valid', 'valid', 'error', 'error', 'error']);
    expect(await n.stores.accessPoints.findByMac('02:00:00:00:0a:01' as never)).toBeNull();
    const r = await n.call<Json & { rows: Array<Json & { errors: Array<{ field: string }> }> }>('POST', '/v1/access-points/import', { token: n.tokens.aRw, raw: { type: 'text/csv', data: csv } });
    expect(r.json).toMatchObject({ created: 2, failed: 3 });
    expect(r.json.rows.map((x) => [x.line, x.status])).toEqual([
      [2, 'created'],
      [3, 'created'],
      [4, 'error'],
      [5, 'error'],
      [6, 'error'],
    ]);
    expect(r.json.rows[0]!.enrolmentToken).toMatch(/^wfce_/);
    expect(r.json.rows[1]).toMatchObject({ mac: '02:00:00:00:0a:02' });
    expect(r.json.rows[2]!.errors.map((e) => e.field).sort()).toEqual(['latitude', 'mac', 'placement']);
    expect(r.json.rows[3]!.errors[0]).toMatchObject({ field: 'mac' });
    const again = await n.call<Json & { rows: Array<Json & { errors: Array<{ field: string }> }> }>('POST', '/v1/access-points/import', { token: n.tokens.aRw, raw: { type: 'text/csv', data: csv } });
    expect(again.json.rows[0]!.errors[0]).toMatchObject({ field: 'mac' });
  });

  it('refuses unknown columns, missing ones, and a JSON body', async () => {
    const r = await n.call<Json>('POST', '/v1/access-points/import', { token: n.tokens.aRw, raw: { type: 'text/csv', data: 'mac,colour\n02:00:00:00:0b:01,red\n' } });
    expect(r.status).toBe(400);
    expect(fieldsOf(r.json)).toEqual(['columns.colour', 'columns.name']);
    expect((await n.call('POST', '/v1/access-points/import', { token: n.tokens.aRw, body: { mac: 'x' } })).status).toBe(415);
  });

  it('exports CSV and GeoJSON with the WiFi4EU installation-report fields', async () => {
    const csv = await n.call('GET', '/v1/inventory.csv', { token: n.tokens.aRo });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [head, ...rows] = csv.text.trim().split('\r\n');
    expect(head).toBe(
      'wifi4eu_network_id,municipality,insee_code,access_point_id,name,mac_address,serial_number,manufacturer,model,indoor_outdoor,latitude,longitude,location,ssids,installation_date,online,last_seen,config_version,config_status',
    );
    expect(rows.find((l) => l.includes('02:00:00:00:0a:02'))).toContain('"Parc, entrée"');
    const geo = await n.call('GET', '/v1/inventory.geojson', { token: n.tokens.aRo });
    expect(geo.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const fc = JSON.parse(geo.text) as { type: string; features: Array<{ geometry: { type: string; coordinates: number[] } | null; properties: Json }> };
    expect(fc.type).toBe('FeatureCollection');
    const parc = fc.features.find((f) => f.properties.mac_address === '02:00:00:00:0a:02')!;
    expect(parc.geometry).toEqual({ type: 'Point', coordinates: [-1.7, 48.2] });
    expect(parc.properties).toMatchObject({ indoor_outdoor: 'outdoor', manufacturer: 'Ubiquiti', municipality: 'Ville de Rennes', insee_code: '35238' });
    // Brest's APs are not in Rennes' inventory.
    const b = await n.call('GET', '/v1/inventory.csv', { token: n.tokens.bRw });
    expect(b.text).not.toContain('02:00:00:00:0a:02');
  });
});

describe('OpenAPI 3.1', () => {
  it('serves the document without a token', async () => {
    const r = await n.call<Json>('GET', '/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
  });

  it('documents every route of both /v1 routers (provisioning, operations), and routes everything it documents', () => {
    const operations = createOperationsRouter({ stores: n.stores, dynauth: { disconnect: never, coa: never, close: never }, clock: { now: () => new Date() }, metrics: n.metrics, log: createLogger({ level: 'silent' }) });
    const provisioning = routesOf(createProvisioningRouter(n.rt));
    const registered = [...provisioning, ...routesOf(operations)].sort();
    // Each route on one router only: the first mounted would shadow the other.
    expect(new Set(registered).size).toBe(registered.length);
    expect(registered).toEqual(documentedRoutes(openApiDocument('test')).sort());
    expect(provisioning.length).toBeGreaterThan(30);
  });

  it('names every catalog code its error schema allows, and every $ref resolves', () => {
    const doc = openApiDocument('test');
    const text = JSON.stringify(doc);
    for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) expect((doc as { components: { schemas: Record<string, unknown> } }).components.schemas[m[1]!], m[1]).toBeDefined();
  });

  it('every JSON response seen by these tests matches its documented schema', () => {
    expect(n.nonConforming).toEqual([]);
  });
});
