/**
 * The session-control and legal-log services over a real (in-memory SQLite)
 * store, with a recording Disconnect/CoA client and a manual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../../../controller/adapters/sqlite/index.js';
import { E } from '../../../../controller/errors.js';
import { createMetrics } from '../../../../controller/metrics.js';
import type { CoaChange, DynAuthResult, DynAuthTarget, DynamicAuthorization } from '../../../../controller/ports/dynamic-authorization.js';
import type { Stores } from '../../../../controller/ports/stores.js';
import { exportLegalLog, placeHold, purgeLegalLog, releaseHold } from '../../../../controller/services/legal.js';
import { changeSession, clientFor, disconnectIdentity, disconnectSession, targetOf } from '../../../../controller/services/sessions.js';
import { acct, at, DAY, expectAppError, HOUR, ManualClock, newIdentity, newTenant } from '../../../contract/harness.js';

class RecordingNas implements DynamicAuthorization {
  readonly sent: Array<{ kind: string; target: DynAuthTarget; change?: CoaChange }> = [];
  outcome: DynAuthResult['outcome'] = 'ack';
  private result(kind: 'disconnect' | 'coa'): DynAuthResult {
    const nak = this.outcome === 'nak';
    return { kind, outcome: this.outcome, errorCause: nak ? 503 : null, errorCauseName: nak ? 'Session-Context-Not-Found' : null, attempts: 1, durationMs: 3, invalidReplies: 0 };
  }
  async disconnect(target: DynAuthTarget) {
    this.sent.push({ kind: 'disconnect', target });
    return this.result('disconnect');
  }
  async coa(target: DynAuthTarget, change: CoaChange) {
    this.sent.push({ kind: 'coa', target, change });
    return this.result('coa');
  }
  async close() {}
}

describe('clientFor', () => {
  const c = (id: string, network: string) => ({ id, tenantId: 't', name: id, network, secret: 's', requireMessageAuthenticator: true, coaPort: 3799, createdAt: new Date() });
  it('picks the longest prefix, unmaps IPv4-mapped addresses, keeps families apart', () => {
    const clients = [c('wide', '192.0.2.0/24'), c('narrow', '192.0.2.128/25'), c('v6', '2001:db8::/32'), c('host', '198.51.100.9')];
    expect(clientFor(clients, '192.0.2.200')?.id).toBe('narrow');
    expect(clientFor(clients, '192.0.2.5')?.id).toBe('wide');
    expect(clientFor(clients, '::ffff:192.0.2.130')?.id).toBe('narrow');
    expect(clientFor(clients, '2001:db8:1::5')?.id).toBe('v6');
    expect(clientFor(clients, '198.51.100.9')?.id).toBe('host');
    expect(clientFor(clients, '198.51.100.10')).toBeNull();
    expect(clientFor(clients, '::192.0.2.5')).toBeNull();
  });
});

describe('session and legal services', () => {
  let stores: Stores;
  let clock: ManualClock;
  let nas: RecordingNas;
  let tenantA: string;
  let tenantB: string;
  beforeEach(async () => {
    clock = new ManualClock();
    stores = openSqliteStores({ memory: true }, { clock });
    nas = new RecordingNas();
    tenantA = (await stores.tenants.create(newTenant('valence'))).id;
    tenantB = (await stores.tenants.create(newTenant('crest'))).id;
    await stores.clients.add(tenantA, { name: 'gw', network: '203.0.113.0/24', secret: 'secret-a', requireMessageAuthenticator: true, coaPort: 3799 });
    await stores.clients.add(tenantB, { name: 'gw', network: '198.51.100.0/24', secret: 'secret-b', requireMessageAuthenticator: true, coaPort: 1700 });
  });
  afterEach(async () => {
    await stores.close();
  });

  async function start(tenantId: string, id: string, over: Record<string, unknown> = {}) {
    await stores.accounting.record([acct({ tenantId, statusType: 'start', acctSessionId: id, nasIp: '10.0.0.1', nasAddress: tenantId === tenantA ? '203.0.113.7' : '198.51.100.7', framedIp: '10.1.0.23', eventAt: clock.now(), ...over })]);
    const list = await stores.sessions.list({ tenantId, activeOnly: true });
    return list.find((s) => s.acctSessionId === id)!;
  }

  it('sends Disconnect to the NAS source address with the covering client secret and port, and audits the outcome', async () => {
    const s = await start(tenantA, 'a1', { username: 'alice' });
    const { result } = await disconnectSession({ stores, dynauth: nas }, tenantA, s.id, 'token:t1', 'abuse report');
    expect(result.outcome).toBe('ack');
    expect(nas.sent[0]!.target).toMatchObject({ address: '203.0.113.7', port: 3799, secret: 'secret-a', nasIp: '10.0.0.1', acctSessionId: 'a1', username: 'alice', framedIp: '10.1.0.23' });
    const [event] = await stores.audit.list({ tenantId: tenantA, action: 'session.disconnect' });
    expect(event).toMatchObject({ actor: 'token:t1', target: `session:${s.id}`, after: { outcome: 'ack', reason: 'abuse report', attempts: 1 } });
  });

  it('records a NAK with its Error-Cause, and a CoA with its change', async () => {
    const s = await start(tenantB, 'b1');
    nas.outcome = 'nak';
    const { result } = await changeSession({ stores, dynauth: nas }, tenantB, s.id, { sessionTimeoutSeconds: 600 }, 'cli:root');
    expect(result).toMatchObject({ outcome: 'nak', errorCause: 503, errorCauseName: 'Session-Context-Not-Found' });
    expect(nas.sent[0]).toMatchObject({ kind: 'coa', change: { sessionTimeoutSeconds: 600 }, target: { port: 1700, secret: 'secret-b' } });
    const [event] = await stores.audit.list({ tenantId: tenantB, action: 'session.' });
    expect(event).toMatchObject({ action: 'session.coa', after: { outcome: 'nak', errorCause: 503, change: { sessionTimeoutSeconds: 600 } } });
  });

  it('refuses unknown, other municipalities’, ended and unreachable sessions', async () => {
    const s = await start(tenantA, 'a1');
    await expectAppError(disconnectSession({ stores, dynauth: nas }, tenantB, s.id, 'x'), E.SESSION_NOT_FOUND);
    await expectAppError(disconnectSession({ stores, dynauth: nas }, tenantA, 'nope', 'x'), E.SESSION_NOT_FOUND);
    const stray = await start(tenantA, 'a2', { nasAddress: '192.0.2.1' });
    await expectAppError(disconnectSession({ stores, dynauth: nas }, tenantA, stray.id, 'x'), E.NAS_NOT_A_CLIENT);
    await stores.accounting.record([acct({ tenantId: tenantA, statusType: 'stop', acctSessionId: 'a1', nasIp: '10.0.0.1', eventAt: clock.advance(60_000) })]);
    await expectAppError(disconnectSession({ stores, dynauth: nas }, tenantA, s.id, 'x'), E.SESSION_NOT_ACTIVE);
    expect(nas.sent).toHaveLength(0);
  });

  it('falls back to NAS-IP-Address for sessions recorded without a source address', async () => {
    const s = await start(tenantA, 'a1', { nasAddress: null, nasIp: '203.0.113.9' });
    expect((await targetOf(stores, s)).address).toBe('203.0.113.9');
  });

  it('disconnects every active session of an identity, in every municipality', async () => {
    const alice = await stores.identities.create(newIdentity('alice'));
    await start(tenantA, 'a1', { identityId: alice.id });
    await start(tenantB, 'b1', { identityId: alice.id });
    await start(tenantA, 'a3', { identityId: alice.id, nasAddress: '192.0.2.1' });
    const results = await disconnectIdentity({ stores, dynauth: nas }, alice.id, 'cli:root', 'account disabled');
    expect(results.map((r) => r.outcome).sort()).toEqual(['ack', 'ack', 'error']);
    expect(results.find((r) => r.outcome === 'error')?.errorCauseName).toBe('WFC_NAS_NOT_A_CLIENT');
  });

  it('exports with an audit record naming who, why, what and the file digest', async () => {
    const metrics = createMetrics();
    const alice = await stores.identities.create(newIdentity('alice', { email: 'alice@example.org' }));
    await start(tenantA, 'a1', { identityId: alice.id, username: 'alice' });
    await stores.legal.importNatMappings(tenantA, [{ internalIp: '10.1.0.23', publicIp: '198.51.100.77', portStart: 40000, portEnd: 40999, startedAt: clock.now(), endedAt: null, source: 'import' }]);
    const tenant = (await stores.tenants.get(tenantA))!;
    const input = { from: at(-HOUR).toISOString(), to: at(HOUR).toISOString(), ip: '198.51.100.77', port: 40321, reason: 'Requisition 2026-11-20', reference: 'PV 2026/0412', format: 'csv' };
    const out = await exportLegalLog({ stores, clock, metrics }, tenant, input, 'token:t9', 'api');
    expect(out.sessions).toBe(1);
    expect(out.body).toContain('alice@example.org');
    expect(out.body).toContain('198.51.100.77,40000-40999');
    const [event] = await stores.audit.list({ action: 'legal.export' });
    expect(event).toMatchObject({ id: out.auditId, actor: 'token:t9', tenantId: tenantA, after: { reason: 'Requisition 2026-11-20', reference: 'PV 2026/0412', sessions: 1, sha256: out.sha256, format: 'csv', via: 'api' } });
    // Outside the port block: nothing.
    const none = await exportLegalLog({ stores, clock }, tenant, { ...input, port: 41000 }, 'token:t9', 'api');
    expect(none.sessions).toBe(0);
    // The other municipality sees nothing of it.
    const other = await exportLegalLog({ stores, clock }, (await stores.tenants.get(tenantB))!, input, 'token:t9', 'api');
    expect(other.sessions).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('wfc_legal_exports_total')).toContain('format="csv",via="api"} 1');
  });

  it('purges after a year, keeps held sessions until released, and resumes after an interruption', async () => {
    const metrics = createMetrics();
    const deps = { stores, clock, metrics };
    for (const id of ['old1', 'old2', 'old3', 'held']) {
      await start(tenantA, id);
      await stores.accounting.record([acct({ tenantId: tenantA, statusType: 'stop', acctSessionId: id, nasIp: '10.0.0.1', eventAt: clock.advance(HOUR) })]);
    }
    const held = (await stores.sessions.list({ tenantId: tenantA })).find((s) => s.acctSessionId === 'held')!;
    const tenant = (await stores.tenants.get(tenantA))!;
    const hold = await placeHold(deps, tenant, { reference: 'PV 1', reason: 'Requisition of the prosecutor', sessionIds: [held.id] }, 'cli:root');
    clock.advance(364 * DAY);
    expect((await purgeLegalLog(deps, { retentionDays: 365 })).sessions).toBe(0);
    clock.advance(2 * DAY);
    // Interrupted after one batch of one session...
    const first = await purgeLegalLog(deps, { retentionDays: 365, batchSize: 1, maxBatches: 1 });
    expect(first.sessions).toBe(1);
    // ...the next run finishes, and the held session survives both.
    const rest = await purgeLegalLog(deps, { retentionDays: 365, batchSize: 1 });
    expect(rest.sessions).toBe(2);
    expect((await stores.sessions.list({ tenantId: tenantA })).map((s) => s.acctSessionId)).toEqual(['held']);
    expect(await metrics.registry.getSingleMetricAsString('wfc_retention_held_sessions')).toMatch(/ 1$/m);
    await releaseHold(deps, tenant, hold.id, 'cli:root');
    expect((await purgeLegalLog(deps, { retentionDays: 365 })).sessions).toBe(1);
    expect(await stores.sessions.list({ tenantId: tenantA })).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('wfc_retention_purged_total')).toContain('kind="sessions"} 4');
    const actions = (await stores.audit.list({ action: 'legal.' })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['legal.hold', 'legal.release', 'legal.purge']));
  });
});
