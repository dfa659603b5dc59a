/**
 * The operations routes of /v1 through real HTTP, in process: sessions
 * (list, look up, Disconnect and CoA sent by the real RFC 5176 client to a
 * NAS listening on 127.0.0.1) and the legal connection log (audited
 * exports, holds, NAT log imports). Every route is checked for tenant
 * isolation (another municipality's things answer 404, read-only tokens
 * 403), every JSON response against the OpenAPI document.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../controller/adapters/sqlite/index.js';
import type { AccountingRecord, Identity, Tenant } from '../../controller/domain/entities.js';
import type { Mac } from '../../controller/domain/mac.js';
import { DEFAULT_POLICY } from '../../controller/domain/policy.js';
import { createApiApp } from '../../controller/http/api-app.js';
import { createLogger } from '../../controller/log.js';
import { createMetrics } from '../../controller/metrics.js';
import type { DynamicAuthorization } from '../../controller/ports/dynamic-authorization.js';
import type { Stores } from '../../controller/ports/stores.js';
import { createApiToken } from '../../controller/services/tokens.js';
import { createOperationsRouter } from '../../provisioning/operations.js';
import { getInteger, getString } from '../../radius-server/codec/attributes.js';
import { Code } from '../../radius-server/codec/codes.js';
import { createDynamicAuthorizationClient } from '../../radius-server/dynauth/client.js';
import { startFakeNas, type FakeNas } from './fake-nas.js';
import { apiCaller, type CallOptions, type Reply } from './provisioning-harness.js';
import { acct } from '../contract/harness.js';

type Json = Record<string, unknown> & { error?: { code: string; message: string; fields?: Array<{ field: string; message: string }> } };

const SECRET_A = 'rennes-coa-secret-0000001';
const DAY = '2026-03-01';
const at = (hhmm: string) => new Date(`${DAY}T${hhmm}:00Z`);

let stores: Stores;
let nas: FakeNas;
let dynauth: DynamicAuthorization;
let server: Server;
let url: string;
let a: Tenant;
let b: Tenant;
let alice: Identity;
const tokens = { admin: '', aRw: '', aRo: '', bRw: '' };
const tokenIds = { aRw: '', admin: '' };
/** Session ids by Acct-Session-Id. */
const sid: Record<string, string> = {};
const nonConforming: string[] = [];

function record(tenantId: string, acctSessionId: string, over: Partial<AccountingRecord> = {}): AccountingRecord {
  return acct({ tenantId, statusType: 'start', acctSessionId, nasAddress: '127.0.0.1', nasIdentifier: 'gw-mairie', identityId: alice.id, calledStationId: null, framedIp: '10.64.0.23', eventAt: at('14:00'), ...over });
}

/** The harness's conformance-checked caller, with this file's default body type. */
const call = <T = Json>(method: string, path: string, o: CallOptions = {}): Promise<Reply<T>> => apiCaller(url, nonConforming)<T>(method, path, o);

const fieldsOf = (j: Json) => (j.error?.fields ?? []).map((f) => f.field).sort();

beforeAll(async () => {
  stores = openSqliteStores({ memory: true });
  nas = await startFakeNas(SECRET_A);
  const metrics = createMetrics({ defaultMetrics: false });
  const log = createLogger({ level: 'silent' });
  dynauth = createDynamicAuthorizationClient({ timeoutMs: 100, retries: 1, metrics });
  await stores.federation.set({ name: 'Wi-Fi public Test', realm: 'wifi.test.example' });
  const mk = (slug: string, name: string, insee: string) =>
    stores.tenants.create({ slug, name, inseeCode: insee, branding: { displayName: name, primaryColor: '#0055a4', logoUrl: null }, policy: DEFAULT_POLICY, wifi4eu: null, portal: null });
  a = await mk('rennes', 'Ville de Rennes', '35238');
  b = await mk('brest', 'Ville de Brest', '29019');
  await stores.clients.add(a.id, { name: 'gw-rennes', network: '127.0.0.0/8', secret: SECRET_A, requireMessageAuthenticator: true, coaPort: nas.port });
  await stores.clients.add(b.id, { name: 'gw-brest', network: '198.51.100.0/24', secret: 'brest-coa-secret-00000002', requireMessageAuthenticator: true, coaPort: 3799 });
  alice = await stores.identities.create({ username: 'alice', email: 'alice@example.org', passwordHash: 'not-a-hash', locale: 'fr', verified: true });
  const bob = await stores.identities.create({ username: 'bob', email: null, passwordHash: 'not-a-hash', locale: 'fr', verified: true });

  await stores.accounting.record([
    record(a.id, 'acct-ack'),
    record(a.id, 'acct-nak', { eventAt: at('14:01') }),
    record(a.id, 'acct-silent', { eventAt: at('14:02') }),
    record(a.id, 'acct-coa', { eventAt: at('14:03') }),
    record(a.id, 'acct-isolated', { eventAt: at('14:04') }),
    record(a.id, 'acct-far', { eventAt: at('14:05'), nasAddress: '203.0.113.9' }),
    record(a.id, 'acct-done', { eventAt: at('10:00'), username: 'bob', identityId: bob.id, framedIp: '10.64.0.99', callingStationId: '02:00:00:00:00:02' as Mac }),
    // Private addresses repeat across municipalities: Brest gave alice the same one.
    record(b.id, 'acct-brest', { nasIp: '198.51.100.4', nasAddress: '198.51.100.4', nasIdentifier: 'gw-brest', eventAt: at('14:10') }),
  ]);
  await stores.accounting.record([record(a.id, 'acct-done', { statusType: 'stop', eventAt: at('11:00'), username: 'bob', identityId: bob.id, framedIp: '10.64.0.99', sessionTime: 3600, inputOctets: 1000, outputOctets: 5000, terminateCause: 'User-Request' })]);
  for (const s of await stores.sessions.list({})) sid[s.acctSessionId] = s.id;

  const tok = async (tenant: Tenant | null, role: 'admin' | 'municipal-rw' | 'municipal-ro') => createApiToken(stores, { tenant, name: role, role }, 'test');
  const admin = await tok(null, 'admin');
  const aRw = await tok(a, 'municipal-rw');
  tokens.admin = admin.secret;
  tokens.aRw = aRw.secret;
  tokens.aRo = (await tok(a, 'municipal-ro')).secret;
  tokens.bRw = (await tok(b, 'municipal-rw')).secret;
  tokenIds.admin = admin.token.id;
  tokenIds.aRw = aRw.token.id;

  const router = createOperationsRouter({ stores, dynauth, clock: { now: () => new Date() }, metrics, log });
  const app = createApiApp({ metrics, log, checks: [], version: 'test', mounts: [{ path: '/v1', router }] });
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await dynauth?.close();
  await nas?.close();
  await stores?.close();
});

describe('GET /v1/sessions', () => {
  it("lists the municipality's sessions with the operator's view, newest first", async () => {
    const r = await call<{ items: Json[] }>('GET', '/v1/sessions', { token: tokens.aRo });
    expect(r.status).toBe(200);
    expect(r.json.items.map((s) => s.acctSessionId)).toEqual(['acct-far', 'acct-isolated', 'acct-coa', 'acct-silent', 'acct-nak', 'acct-ack', 'acct-done']);
    expect(r.json.items[5]).toEqual({
      id: sid['acct-ack'],
      municipality: 'rennes',
      acctSessionId: 'acct-ack',
      username: 'alice',
      identityId: alice.id,
      status: 'active',
      startedAt: '2026-03-01T14:00:00.000Z',
      updatedAt: '2026-03-01T14:00:00.000Z',
      stoppedAt: null,
      terminateCause: null,
      sessionTime: 0,
      inputOctets: 0,
      outputOctets: 0,
      nasIp: '192.0.2.10',
      nasIdentifier: 'gw-mairie',
      framedIp: '10.64.0.23',
      apId: null,
      deviceMac: '02:00:00:00:00:01',
    });
  });

  it('filters by active, user and limit', async () => {
    const active = await call<{ items: Json[] }>('GET', '/v1/sessions?active=true', { token: tokens.aRo });
    expect(active.json.items.map((s) => s.acctSessionId)).not.toContain('acct-done');
    expect(active.json.items).toHaveLength(6);
    const bob = await call<{ items: Json[] }>('GET', '/v1/sessions?user=bob@wifi.test.example', { token: tokens.aRo });
    expect(bob.json.items.map((s) => [s.acctSessionId, s.status, s.sessionTime])).toEqual([['acct-done', 'stopped', 3600]]);
    const two = await call<{ items: Json[] }>('GET', '/v1/sessions?limit=2&user=alice', { token: tokens.aRo });
    expect(two.json.items).toHaveLength(2);
    const nobody = await call<{ items: Json[] }>('GET', '/v1/sessions?user=nobody', { token: tokens.aRo });
    expect(nobody.status).toBe(200);
    expect(nobody.json.items).toEqual([]);
  });

  it.each([
    ['active=maybe', 'active'],
    ['limit=0', 'limit'],
    ['limit=ten', 'limit'],
    ['user=', 'user'],
  ])('answers 400 to ?%s naming %s', async (query, field) => {
    const r = await call('GET', `/v1/sessions?${query}`, { token: tokens.aRo });
    expect(r.status).toBe(400);
    expect(fieldsOf(r.json)).toEqual([field]);
  });

  it("keeps each municipality to its own; an admin sees all, or one with ?tenant", async () => {
    const brest = await call<{ items: Json[] }>('GET', '/v1/sessions', { token: tokens.bRw });
    expect(brest.json.items.map((s) => [s.acctSessionId, s.municipality])).toEqual([['acct-brest', 'brest']]);
    const all = await call<{ items: Json[] }>('GET', '/v1/sessions', { token: tokens.admin });
    expect(all.json.items).toHaveLength(8);
    expect(new Set(all.json.items.map((s) => s.municipality))).toEqual(new Set(['rennes', 'brest']));
    const one = await call<{ items: Json[] }>('GET', '/v1/sessions?tenant=brest', { token: tokens.admin });
    expect(one.json.items.map((s) => s.acctSessionId)).toEqual(['acct-brest']);
    expect((await call('GET', '/v1/sessions?tenant=rennes', { token: tokens.bRw })).status).toBe(404);
    expect((await call('GET', '/v1/sessions', { token: null })).status).toBe(401);
  });
});

describe('GET /v1/sessions/:id', () => {
  it("answers 404 to another municipality's session, exactly as to an unknown one", async () => {
    const own = await call('GET', `/v1/sessions/${sid['acct-ack']}`, { token: tokens.aRo });
    expect(own.json).toMatchObject({ id: sid['acct-ack'], municipality: 'rennes', status: 'active' });
    const other = await call('GET', `/v1/sessions/${sid['acct-ack']}`, { token: tokens.bRw });
    const unknown = await call('GET', '/v1/sessions/00000000-0000-0000-0000-000000000000', { token: tokens.bRw });
    expect(other.status).toBe(404);
    expect(other.json.error?.code).toBe('WFC_SESSION_NOT_FOUND');
    expect(unknown.json.error?.message).toBe(other.json.error?.message.replace(sid['acct-ack']!, '00000000-0000-0000-0000-000000000000'));
  });

  it('lets an admin find a session in any municipality without ?tenant, or only in the one it names', async () => {
    const found = await call('GET', `/v1/sessions/${sid['acct-brest']}`, { token: tokens.admin });
    expect(found.json).toMatchObject({ id: sid['acct-brest'], municipality: 'brest' });
    expect((await call('GET', `/v1/sessions/${sid['acct-brest']}?tenant=rennes`, { token: tokens.admin })).status).toBe(404);
  });
});

describe('POST /v1/sessions/:id/disconnect', () => {
  it('sends a signed Disconnect-Request to the NAS; an ACK answers 200 and is audited', async () => {
    nas.decide = () => ({ reply: 'ack' });
    const before = nas.received.length;
    const r = await call<Json & { session: Json; result: Json }>('POST', `/v1/sessions/${sid['acct-ack']}/disconnect`, { token: tokens.aRw, body: { reason: 'abuse reported by the library' } });
    expect(r.status).toBe(200);
    expect(r.json.session).toMatchObject({ id: sid['acct-ack'], municipality: 'rennes' });
    expect(r.json.result).toMatchObject({ outcome: 'ack', errorCause: null, errorCauseName: null, attempts: 1, invalidReplies: 0 });
    const req = nas.received.slice(before);
    expect(req).toHaveLength(1);
    expect(req[0]!.code).toBe(Code.DisconnectRequest);
    expect(getString(req[0]!, 'Acct-Session-Id')).toBe('acct-ack');
    expect(getString(req[0]!, 'User-Name')).toBe('alice');
    expect(getString(req[0]!, 'NAS-Identifier')).toBe('gw-mairie');
    const [event] = await stores.audit.list({ tenantId: a.id, action: 'session.disconnect', limit: 1 });
    expect(event).toMatchObject({ actor: `token:${tokenIds.aRw}`, target: `session:${sid['acct-ack']}`, after: expect.objectContaining({ outcome: 'ack', reason: 'abuse reported by the library' }) });
  });

  it('takes no body at all', async () => {
    const r = await call<{ result: Json }>('POST', `/v1/sessions/${sid['acct-ack']}/disconnect`, { token: tokens.aRw });
    expect(r.status).toBe(200);
    expect(r.json.result.outcome).toBe('ack');
  });

  it("answers 200 with the NAS's NAK and its Error-Cause", async () => {
    nas.decide = (_p, id) => (id === 'acct-nak' ? { reply: 'nak', errorCause: 503 } : { reply: 'ack' });
    const r = await call<{ result: Json }>('POST', `/v1/sessions/${sid['acct-nak']}/disconnect`, { token: tokens.aRw });
    expect(r.status).toBe(200);
    expect(r.json.result).toMatchObject({ outcome: 'nak', errorCause: 503, errorCauseName: 'Session-Context-Not-Found', attempts: 1 });
  });

  it('answers 504 WFC_NAS_TIMEOUT when the NAS stays silent, with the result in the body', async () => {
    nas.decide = (_p, id) => (id === 'acct-silent' ? { reply: 'silent' } : { reply: 'ack' });
    const before = nas.received.length;
    const r = await call<Json & { result: Json; session: Json }>('POST', `/v1/sessions/${sid['acct-silent']}/disconnect`, { token: tokens.admin });
    expect(r.status).toBe(504);
    expect(r.json.error).toMatchObject({ code: 'WFC_NAS_TIMEOUT', message: expect.stringContaining('after 2 attempts') });
    expect(r.json.result).toMatchObject({ outcome: 'timeout', attempts: 2, errorCause: null });
    expect(r.json.session).toMatchObject({ id: sid['acct-silent'], municipality: 'rennes' });
    // The retransmission is the same datagram (RFC 5080 §2.2.1): the NAS can spot the duplicate.
    const sent = nas.received.slice(before);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.raw.equals(sent[0]!.raw)).toBe(true);
    const [event] = await stores.audit.list({ tenantId: a.id, action: 'session.disconnect', limit: 1 });
    expect(event).toMatchObject({ actor: `token:${tokenIds.admin}`, after: expect.objectContaining({ outcome: 'timeout', attempts: 2 }) });
  });

  it('answers 409 for an ended session and for a NAS no RADIUS client covers, 404 for an unknown one; nothing is sent', async () => {
    const before = nas.received.length;
    const done = await call('POST', `/v1/sessions/${sid['acct-done']}/disconnect`, { token: tokens.aRw });
    expect([done.status, done.json.error?.code]).toEqual([409, 'WFC_SESSION_NOT_ACTIVE']);
    const far = await call('POST', `/v1/sessions/${sid['acct-far']}/disconnect`, { token: tokens.aRw });
    expect([far.status, far.json.error?.code]).toEqual([409, 'WFC_NAS_NOT_A_CLIENT']);
    expect(far.json.error?.message).toContain('203.0.113.9');
    const unknown = await call('POST', '/v1/sessions/nope/disconnect', { token: tokens.aRw });
    expect([unknown.status, unknown.json.error?.code]).toEqual([404, 'WFC_SESSION_NOT_FOUND']);
    expect(nas.received.length).toBe(before);
  });

  it.each([
    [{ reason: 5 }, ['reason']],
    [{ reason: '' }, ['reason']],
    [{ why: 'x' }, ['why']],
  ])('answers 400 to the body %j naming %j', async (body, fields) => {
    const r = await call('POST', `/v1/sessions/${sid['acct-isolated']}/disconnect`, { token: tokens.aRw, body });
    expect(r.status).toBe(400);
    expect(fieldsOf(r.json)).toEqual(fields);
  });
});

describe('POST /v1/sessions/:id/coa', () => {
  it('sends the change in a CoA-Request; the ACK answers 200', async () => {
    nas.decide = () => ({ reply: 'ack' });
    const before = nas.received.length;
    const r = await call<{ result: Json }>('POST', `/v1/sessions/${sid['acct-coa']}/coa`, { token: tokens.aRw, body: { sessionTimeoutSeconds: 600, downloadBps: 2_000_000 } });
    expect(r.status).toBe(200);
    expect(r.json.result).toMatchObject({ outcome: 'ack', attempts: 1 });
    const [req] = nas.received.slice(before);
    expect(req!.code).toBe(Code.CoaRequest);
    expect(getInteger(req!, 'Session-Timeout')).toBe(600);
    expect(getInteger(req!, 'WISPr-Bandwidth-Max-Down')).toBe(2_000_000);
    const [event] = await stores.audit.list({ tenantId: a.id, action: 'session.coa', limit: 1 });
    expect(event!.after).toMatchObject({ outcome: 'ack', change: { sessionTimeoutSeconds: 600, downloadBps: 2_000_000 } });
  });

  it('a NAK of a CoA answers 200 with its cause', async () => {
    nas.decide = () => ({ reply: 'nak', errorCause: 404 });
    const r = await call<{ result: Json }>('POST', `/v1/sessions/${sid['acct-coa']}/coa`, { token: tokens.aRw, body: { uploadBps: 500_000 } });
    expect(r.status).toBe(200);
    expect(r.json.result).toMatchObject({ outcome: 'nak', errorCause: 404, errorCauseName: 'Invalid-Request' });
    nas.decide = () => ({ reply: 'ack' });
  });

  it.each([
    [{}, ['(body)']],
    [undefined, ['(body)']],
    [{ sessionTimeoutSeconds: 0 }, ['sessionTimeoutSeconds']],
    [{ downloadBps: 1.5, uploadBps: 'fast' }, ['downloadBps', 'uploadBps']],
    [{ uploadBps: 2 ** 32 }, ['uploadBps']],
    [{ sessionTimeoutSeconds: 60, bandwidth: 5 }, ['bandwidth']],
  ])('answers 400 to %j naming %j, and sends nothing', async (body, fields) => {
    const before = nas.received.length;
    const r = await call('POST', `/v1/sessions/${sid['acct-coa']}/coa`, { token: tokens.aRw, body });
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe('WFC_VALIDATION');
    expect(fieldsOf(r.json)).toEqual(fields);
    expect(nas.received.length).toBe(before);
  });
});

describe('sessions: tenant isolation and roles on the writes', () => {
  it.each(['disconnect', 'coa'])("answers 404 to %s of another municipality's session, 403 to a read-only token; the NAS hears nothing", async (what) => {
    const before = nas.received.length;
    const body = what === 'coa' ? { sessionTimeoutSeconds: 60 } : undefined;
    const other = await call('POST', `/v1/sessions/${sid['acct-isolated']}/${what}`, { token: tokens.bRw, body });
    expect([other.status, other.json.error?.code]).toEqual([404, 'WFC_SESSION_NOT_FOUND']);
    const named = await call('POST', `/v1/sessions/${sid['acct-isolated']}/${what}?tenant=rennes`, { token: tokens.bRw, body });
    expect(named.status).toBe(404);
    const ro = await call('POST', `/v1/sessions/${sid['acct-isolated']}/${what}`, { token: tokens.aRo, body });
    expect([ro.status, ro.json.error?.code]).toEqual([403, 'WFC_FORBIDDEN']);
    expect(nas.received.length).toBe(before);
  });
});

/* ------------------------------------------------------------------ legal */

const exportBody = (over: Record<string, unknown> = {}) => ({
  from: `${DAY}T00:00:00Z`,
  to: `${DAY}T23:59:59Z`,
  identity: 'alice',
  reason: 'Réquisition judiciaire, enquête préliminaire',
  reference: 'PV 2026/0142',
  ...over,
});
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('POST /v1/legal/nat-mappings', () => {
  const header = 'start,end,internal_ip,public_ip,port_start,port_end';

  it('imports a CSV NAT log, matching lines to sessions; a second import counts duplicates', async () => {
    const csv = [header, `${DAY}T14:00:05Z,${DAY}T15:00:00Z,10.64.0.23,198.51.100.7,40000,40999`, `${DAY}T09:00:00Z,,10.64.9.9,198.51.100.7,41000,41999`, ''].join('\n');
    const r = await call('POST', '/v1/legal/nat-mappings', { token: tokens.aRw, raw: { type: 'text/csv', data: csv } });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ imported: 2, matched: 1, duplicates: 0 });
    const again = await call('POST', '/v1/legal/nat-mappings', { token: tokens.aRw, raw: { type: 'text/csv; charset=utf-8', data: csv } });
    expect(again.json).toEqual({ imported: 0, matched: 0, duplicates: 2 });
    const [event] = await stores.audit.list({ tenantId: a.id, action: 'legal.nat-import', limit: 1 });
    expect(event).toMatchObject({ actor: `token:${tokenIds.aRw}`, target: 'tenant:rennes' });
  });

  it('imports a JSON NAT log (snake_case or camelCase keys)', async () => {
    const doc = [{ start: `${DAY}T14:10:00Z`, end: null, internalIp: '10.64.0.23', publicIp: '198.51.100.99', portStart: 1024, portEnd: 2047 }];
    const r = await call('POST', '/v1/legal/nat-mappings', { token: tokens.bRw, raw: { type: 'application/json', data: JSON.stringify(doc) } });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ imported: 1, matched: 1, duplicates: 0 });
  });

  it('refuses a file with a bad line 3, naming the line and the field, and stores nothing of it', async () => {
    const good = `${DAY}T14:00:00Z,,10.64.0.50,198.51.100.8,50000,50999`;
    const csv = [header, good, `${DAY}T14:00:00Z,,10.64.0.51,not-an-ip,51000,51999`].join('\n');
    const r = await call('POST', '/v1/legal/nat-mappings', { token: tokens.aRw, raw: { type: 'text/csv', data: csv } });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'WFC_NAT_IMPORT_INVALID', message: expect.stringMatching(/line 3: public_ip/) });
    // Line 2 was not stored: importing it alone is new, not a duplicate.
    const alone = await call('POST', '/v1/legal/nat-mappings', { token: tokens.aRw, raw: { type: 'text/csv', data: [header, good].join('\n') } });
    expect(alone.json).toEqual({ imported: 1, matched: 0, duplicates: 0 });
  });

  it('refuses other media types (415), read-only tokens (403), and an admin without ?tenant (400)', async () => {
    const csv = `${header}\n`;
    expect((await call('POST', '/v1/legal/nat-mappings', { token: tokens.aRw, raw: { type: 'text/plain', data: csv } })).status).toBe(415);
    expect((await call('POST', '/v1/legal/nat-mappings', { token: tokens.aRo, raw: { type: 'text/csv', data: csv } })).status).toBe(403);
    const admin = await call('POST', '/v1/legal/nat-mappings', { token: tokens.admin, raw: { type: 'text/csv', data: csv } });
    expect(admin.status).toBe(400);
    expect(fieldsOf(admin.json)).toEqual(['tenant']);
    expect((await call('POST', '/v1/legal/nat-mappings?tenant=rennes', { token: tokens.bRw, raw: { type: 'text/csv', data: csv } })).status).toBe(404);
  });
});

describe('POST /v1/legal/exports', () => {
  it("exports the municipality's sessions of an identity as CSV, with the audit id and the body's SHA-256", async () => {
    const r = await call('POST', '/v1/legal/exports', { token: tokens.aRw, body: exportBody() });
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="legal-log-rennes-\d{8}T\d{6}Z\.csv"$/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-wfc-sha256')).toBe(sha256(r.text));
    const lines = r.text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^session_id,municipality,identity_id,username,email,/);
    const rows = lines.slice(1);
    // Rennes' six sessions of alice; not Brest's, though alice used the same private address there.
    expect(rows).toHaveLength(6);
    expect(rows.every((l) => l.split(',')[1] === 'rennes')).toBe(true);
    expect(r.text).not.toContain(sid['acct-brest']!);
    expect(r.headers.get('x-wfc-sessions')).toBe('6');

    const auditId = r.headers.get('x-wfc-audit-id');
    const events = await stores.audit.list({ action: 'legal.export', limit: 10 });
    const event = events.find((e) => e.id === auditId);
    expect(event).toMatchObject({
      actor: `token:${tokenIds.aRw}`,
      tenantId: a.id,
      target: 'legal:PV 2026/0142',
      after: {
        reason: 'Réquisition judiciaire, enquête préliminaire',
        reference: 'PV 2026/0142',
        format: 'csv',
        sessions: 6,
        sha256: sha256(r.text),
        via: 'api',
        filter: expect.objectContaining({ municipality: 'rennes', identity: 'alice', ip: null }),
      },
    });
  });

  it('exports by public address and port through the NAT mappings, as JSON, federation-wide for an admin', async () => {
    const r = await call<Json & { sessions: Json[]; filter: Json }>('POST', '/v1/legal/exports', { token: tokens.admin, body: exportBody({ identity: undefined, ip: '198.51.100.7', port: 40321, format: 'json' }) });
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(/filename="legal-log-federation-.*\.json"/);
    expect(r.headers.get('x-wfc-sha256')).toBe(sha256(r.text));
    expect(r.json).toMatchObject({ exportedBy: `token:${tokenIds.admin}`, reference: 'PV 2026/0142', truncated: false, filter: { municipality: null, ip: '198.51.100.7', port: 40321 } });
    expect(r.json.sessions).toHaveLength(1);
    expect(r.json.sessions[0]).toMatchObject({
      municipality: 'rennes',
      identityId: alice.id,
      subscriber: { username: 'alice', email: 'alice@example.org', erasedAt: null },
      deviceMac: '02:00:00:00:00:01',
      assignedIp: '10.64.0.23',
      natMappings: [expect.objectContaining({ publicIp: '198.51.100.7', portStart: 40000, portEnd: 40999, source: 'import' })],
    });
  });

  it('a private address names sessions of every municipality for an admin, of its own for a municipality', async () => {
    const body = exportBody({ identity: undefined, ip: '10.64.0.23', format: 'json' });
    const all = await call<{ sessions: Json[] }>('POST', '/v1/legal/exports', { token: tokens.admin, body });
    expect(new Set(all.json.sessions.map((s) => s.municipality))).toEqual(new Set(['rennes', 'brest']));
    const brest = await call<{ sessions: Json[] }>('POST', '/v1/legal/exports', { token: tokens.bRw, body });
    expect(brest.json.sessions.map((s) => s.id)).toEqual([sid['acct-brest']]);
  });

  it.each([
    ['from is not a date', { from: 'yesterday' }, ['from']],
    ['to before from', { from: `${DAY}T12:00:00Z`, to: `${DAY}T11:00:00Z` }, ['to']],
    ['a window over 366 days', { from: '2025-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, ['to']],
    ['a port without ip', { port: 443 }, ['port']],
    ['neither ip nor identity', { identity: undefined }, ['ip']],
    ['an unknown format', { format: 'xml' }, ['format']],
    ['an ip that is not one', { identity: undefined, ip: '999.1.1.1' }, ['ip']],
    ['no reason', { reason: undefined }, ['reason']],
    ['a field the API does not know', { tenant: 'brest' }, ['tenant']],
  ])('answers 400 to %s, naming the field', async (_what, over, fields) => {
    const before = (await stores.audit.list({ action: 'legal.export' })).length;
    const r = await call('POST', '/v1/legal/exports', { token: tokens.aRw, body: exportBody(over) });
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe('WFC_VALIDATION');
    expect(fieldsOf(r.json)).toEqual(fields);
    expect((await stores.audit.list({ action: 'legal.export' })).length).toBe(before);
  });

  it('is refused to read-only tokens (403) and 404s a ?tenant of another municipality', async () => {
    const ro = await call('POST', '/v1/legal/exports', { token: tokens.aRo, body: exportBody() });
    expect([ro.status, ro.json.error?.code]).toEqual([403, 'WFC_FORBIDDEN']);
    expect((await call('POST', '/v1/legal/exports?tenant=rennes', { token: tokens.bRw, body: exportBody() })).status).toBe(404);
    expect((await call('POST', '/v1/legal/exports', { token: null, body: exportBody() })).status).toBe(401);
  });
});

describe('GET /v1/legal/exports', () => {
  it('shows who exported what and why, to the municipality and to admins; not to others', async () => {
    const own = await call<{ items: Json[] }>('GET', '/v1/legal/exports', { token: tokens.aRw });
    expect(own.status).toBe(200);
    expect(own.json.items.length).toBeGreaterThanOrEqual(1);
    expect(own.json.items.every((e) => e.municipality === 'rennes')).toBe(true);
    expect(own.json.items.at(-1)).toMatchObject({ actor: `token:${tokenIds.aRw}`, reference: 'PV 2026/0142', reason: 'Réquisition judiciaire, enquête préliminaire', format: 'csv', via: 'api', sessions: 6, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const brest = await call<{ items: Json[] }>('GET', '/v1/legal/exports', { token: tokens.bRw });
    expect(brest.json.items.every((e) => e.municipality === 'brest')).toBe(true);
    const all = await call<{ items: Json[] }>('GET', '/v1/legal/exports', { token: tokens.admin });
    expect(new Set(all.json.items.map((e) => e.municipality))).toEqual(new Set(['rennes', 'brest', null]));
    expect((await call('GET', '/v1/legal/exports', { token: tokens.aRo })).status).toBe(403);
    expect((await call('GET', '/v1/legal/exports?limit=0', { token: tokens.aRw })).status).toBe(400);
  });
});

describe('legal holds', () => {
  let holdId: string;

  it("places a hold on the municipality's sessions (201, audited); another's session is not found", async () => {
    const r = await call('POST', '/v1/legal/holds', { token: tokens.aRw, body: { reference: 'PV 2026/0142', reason: 'Conservation demandée par le parquet', sessionIds: [sid['acct-done'], sid['acct-ack']] } });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ municipality: 'rennes', reference: 'PV 2026/0142', createdBy: `token:${tokenIds.aRw}`, releasedAt: null });
    expect([...(r.json.sessionIds as string[])].sort()).toEqual([sid['acct-done'], sid['acct-ack']].sort());
    holdId = r.json.id as string;
    const [event] = await stores.audit.list({ tenantId: a.id, action: 'legal.hold', limit: 1 });
    expect(event).toMatchObject({ target: `legal-hold:${holdId}` });

    const stolen = await call('POST', '/v1/legal/holds', { token: tokens.bRw, body: { reference: 'X-1', reason: 'a reason long enough', sessionIds: [sid['acct-done']] } });
    expect([stolen.status, stolen.json.error?.code]).toEqual([404, 'WFC_SESSION_NOT_FOUND']);
    expect((await call('POST', '/v1/legal/holds', { token: tokens.aRo, body: { reference: 'X-1', reason: 'a reason long enough', sessionIds: [sid['acct-done']] } })).status).toBe(403);
  });

  it.each([
    [{ reference: 'PV', reason: 'short', sessionIds: [] }, ['reason', 'reference', 'sessionIds']],
    [{ reference: 'PV 1', reason: 'long enough reason', sessionIds: 'abc' }, ['sessionIds']],
    [{ reference: 'PV 1', reason: 'long enough reason', sessionIds: ['x'], until: 'never' }, ['until']],
  ])('answers 400 to %j naming %j', async (body, fields) => {
    const r = await call('POST', '/v1/legal/holds', { token: tokens.aRw, body });
    expect(r.status).toBe(400);
    expect(fieldsOf(r.json)).toEqual(fields);
  });

  it('marks held sessions in exports', async () => {
    const r = await call<{ sessions: Json[] }>('POST', '/v1/legal/exports', { token: tokens.aRw, body: exportBody({ identity: 'bob', format: 'json' }) });
    expect(r.json.sessions).toEqual([expect.objectContaining({ id: sid['acct-done'], held: true })]);
  });

  it('lists holds to their municipality and admins only', async () => {
    const own = await call<{ items: Json[] }>('GET', '/v1/legal/holds', { token: tokens.aRw });
    expect(own.json.items.map((h) => h.id)).toContain(holdId);
    const brest = await call<{ items: Json[] }>('GET', '/v1/legal/holds', { token: tokens.bRw });
    expect(brest.json.items.map((h) => h.id)).not.toContain(holdId);
    const admin = await call<{ items: Json[] }>('GET', '/v1/legal/holds', { token: tokens.admin });
    expect(admin.json.items.map((h) => h.id)).toContain(holdId);
    expect((await call('GET', '/v1/legal/holds', { token: tokens.aRo })).status).toBe(403);
  });

  it("releases a hold: 404 to another municipality, then gone from the active list, kept with ?released=true", async () => {
    const stolen = await call('POST', `/v1/legal/holds/${holdId}/release`, { token: tokens.bRw });
    expect([stolen.status, stolen.json.error?.code]).toEqual([404, 'WFC_LEGAL_HOLD_NOT_FOUND']);
    expect((await call('POST', `/v1/legal/holds/${holdId}/release`, { token: tokens.aRo })).status).toBe(403);
    const r = await call('POST', `/v1/legal/holds/${holdId}/release`, { token: tokens.aRw });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: holdId, releasedBy: `token:${tokenIds.aRw}`, releasedAt: expect.any(String) });
    const active = await call<{ items: Json[] }>('GET', '/v1/legal/holds', { token: tokens.aRw });
    expect(active.json.items.map((h) => h.id)).not.toContain(holdId);
    const all = await call<{ items: Json[] }>('GET', '/v1/legal/holds?released=true', { token: tokens.aRw });
    expect(all.json.items.map((h) => h.id)).toContain(holdId);
    expect((await call('POST', '/v1/legal/holds/nope/release', { token: tokens.aRw })).status).toBe(404);
  });
});

describe('OpenAPI', () => {
  it('every JSON response seen by these tests matches its documented schema', () => {
    expect(nonConforming).toEqual([]);
  });
});
