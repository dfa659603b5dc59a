/**
 * The provisioning port's contract: every adapter (SQLite and PostgreSQL)
 * passes it. The core stores come along because provisioning sits on
 * their tenants, APs and RADIUS clients.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { E } from '../../controller/errors.js';
import { DEFAULT_PROFILE, type ApProfile, type ConfigDraft, type ProvisioningStore } from '../../controller/ports/provisioning.js';
import type { Stores } from '../../controller/ports/stores.js';
import { expectAppError, HOUR, mac, ManualClock, MINUTE, newAp, newTenant, T0, type FixtureDeps } from './harness.js';

export interface ProvisioningFixture {
  readonly stores: Stores;
  readonly provisioning: ProvisioningStore;
  cleanup(): Promise<void>;
}

export type MakeProvisioning = (deps: FixtureDeps) => Promise<ProvisioningFixture>;

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

export function draft(text: string, over: Partial<ConfigDraft> = {}): ConfigDraft {
  return { bundle: text, checksum: sha(text), reason: 'test', secretDigest: null, ...over };
}

const profile = (over: Partial<ApProfile> = {}): ApProfile => ({ ...DEFAULT_PROFILE, vendor: 'Ubiquiti', gateway: 'coovachilli', ...over });

export function describeProvisioningStore(name: string, make: MakeProvisioning): void {
  describe(`ProvisioningStore contract: ${name}`, () => {
    let fx: ProvisioningFixture;
    let clock: ManualClock;
    beforeEach(async () => {
      clock = new ManualClock();
      fx = await make({ clock });
    });
    afterEach(async () => {
      await fx.cleanup();
    });
    const p = () => fx.provisioning;
    const twoTenants = async () => ({
      a: await fx.stores.tenants.create(newTenant('rennes')),
      b: await fx.stores.tenants.create(newTenant('brest')),
    });
    const createAp = async (tenantId: string, m: string, text: string | null = `config ${m}\n`, over: Partial<ApProfile> = {}) =>
      p().registry.create({
        tenantId,
        ap: newAp(m),
        profile: profile(over),
        enrolment: { tokenHash: sha(`enrol-${m}`), expiresAt: new Date(T0.getTime() + HOUR) },
        draft: text === null ? null : draft(text),
        actor: 'token:t1',
      });

    describe('registry', () => {
      it('creates the AP, its profile, its enrolment and version 1 in one call, with an audit event', async () => {
        const { a } = await twoTenants();
        const { provisioned, published } = await createAp(a.id, 'aa:bb:cc:00:00:01');
        expect(provisioned.ap).toMatchObject({ tenantId: a.id, mac: 'aa:bb:cc:00:00:01', createdAt: T0 });
        expect(provisioned.profile).toEqual(profile());
        expect(published).toMatchObject({ apId: provisioned.ap.id, version: 1, checksum: sha('config aa:bb:cc:00:00:01\n'), actor: 'token:t1' });
        expect(await p().registry.get(a.id, provisioned.ap.id)).toEqual(provisioned);
        expect(await fx.stores.accessPoints.get(a.id, provisioned.ap.id)).toEqual(provisioned.ap);
        expect(await p().enrolments.find(sha('enrol-aa:bb:cc:00:00:01'))).toMatchObject({ apId: provisioned.ap.id, usedAt: null });
        const events = await fx.stores.audit.list({ tenantId: a.id });
        expect(events.map((e) => e.action)).toEqual(['ap.create']);
        expect(events.find((e) => e.action === 'ap.create')).toMatchObject({ actor: 'token:t1', target: 'ap:aa:bb:cc:00:00:01', before: null });
      });

      it('gives an AP registered without a profile (by the CLI) the default profile', async () => {
        const { a } = await twoTenants();
        const ap = await fx.stores.accessPoints.create(a.id, newAp('aa:bb:cc:00:00:02'));
        expect(await p().registry.get(a.id, ap.id)).toEqual({ ap, profile: DEFAULT_PROFILE });
        expect(await p().agents.state(a.id, ap.id)).toMatchObject({ status: 'pending', currentVersion: null });
      });

      it('refuses a duplicate MAC anywhere in the federation and writes nothing: AP_EXISTS', async () => {
        const { a, b } = await twoTenants();
        await createAp(a.id, 'aa:bb:cc:00:00:01');
        const before = (await fx.stores.audit.list({})).length;
        await expectAppError(createAp(b.id, 'aa:bb:cc:00:00:01', 'other\n'), E.AP_EXISTS, { mac: 'aa:bb:cc:00:00:01' });
        expect(await p().registry.list(b.id)).toEqual([]);
        expect((await fx.stores.audit.list({})).length).toBe(before);
      });

      it('refuses an unknown tenant: TENANT_NOT_FOUND', async () => {
        await expectAppError(createAp('no-such-tenant', 'aa:bb:cc:00:00:01'), E.TENANT_NOT_FOUND);
      });

      it('lists by name then MAC, per tenant; listAll spans tenants', async () => {
        const { a, b } = await twoTenants();
        const x = await p().registry.create({ tenantId: a.id, ap: newAp('aa:bb:cc:00:00:02', { name: 'B' }), profile: profile(), enrolment: null, draft: null, actor: 'cli' });
        const y = await p().registry.create({ tenantId: a.id, ap: newAp('aa:bb:cc:00:00:01', { name: 'A' }), profile: profile(), enrolment: null, draft: null, actor: 'cli' });
        const z = await p().registry.create({ tenantId: b.id, ap: newAp('aa:bb:cc:00:00:03'), profile: profile(), enrolment: null, draft: null, actor: 'cli' });
        expect((await p().registry.list(a.id)).map((r) => r.ap.id)).toEqual([y.provisioned.ap.id, x.provisioned.ap.id]);
        expect((await p().registry.listAll()).map((r) => r.ap.id).sort()).toEqual([x, y, z].map((r) => r.provisioned.ap.id).sort());
      });

      it('updates fields and profile, publishing only a changed configuration', async () => {
        const { a } = await twoTenants();
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:01', 'one\n');
        clock.advance(MINUTE);
        const same = await p().registry.update({
          tenantId: a.id,
          id: provisioned.ap.id,
          ap: { ...provisioned.ap, name: 'Renamed' },
          profile: profile({ firmware: 'hostapd' }),
          draft: draft('one\n'),
          actor: 'token:t2',
        });
        expect(same.published).toBeNull();
        expect(same.provisioned.ap).toMatchObject({ name: 'Renamed', updatedAt: new Date(T0.getTime() + MINUTE), createdAt: T0 });
        expect(same.provisioned.profile.firmware).toBe('hostapd');
        const changed = await p().registry.update({ tenantId: a.id, id: provisioned.ap.id, ap: provisioned.ap, profile: profile(), draft: draft('two\n'), actor: 'token:t2' });
        expect(changed.published?.version).toBe(2);
        // The same fields again: no write, no audit event, but a changed draft is still published (as a version).
        const events = (await fx.stores.audit.list({})).length;
        clock.advance(MINUTE);
        const noop = await p().registry.update({ tenantId: a.id, id: provisioned.ap.id, ap: changed.provisioned.ap, profile: profile(), draft: draft('three\n'), actor: 'token:t2' });
        expect(noop.provisioned).toEqual(changed.provisioned);
        expect(noop.published?.version).toBe(3);
        expect((await fx.stores.audit.list({})).map((e) => e.action).filter((x) => x === 'ap.update')).toHaveLength(2);
        expect((await fx.stores.audit.list({})).length).toBe(events);
        const upd = (await fx.stores.audit.list({ tenantId: a.id })).find((e) => e.action === 'ap.update');
        expect(upd?.before).toMatchObject({ name: 'Renamed' });
      });

      it("isolates tenants: another tenant's AP is not found, updated or deleted", async () => {
        const { a, b } = await twoTenants();
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:01');
        expect(await p().registry.get(b.id, provisioned.ap.id)).toBeNull();
        await expectAppError(
          p().registry.update({ tenantId: b.id, id: provisioned.ap.id, ap: provisioned.ap, profile: profile(), draft: null, actor: 'x' }),
          E.AP_NOT_FOUND,
        );
        await expectAppError(p().registry.delete({ tenantId: b.id, id: provisioned.ap.id, actor: 'x' }), E.AP_NOT_FOUND);
        expect(await p().versions.current(b.id, provisioned.ap.id)).toBeNull();
        expect(await p().agents.state(b.id, provisioned.ap.id)).toBeNull();
        await expectAppError(p().versions.publish({ tenantId: b.id, drafts: [{ apId: provisioned.ap.id, draft: draft('x\n') }], actor: 'x' }), E.AP_NOT_FOUND);
      });

      it('refuses an update to a MAC another AP has, changing nothing: AP_EXISTS', async () => {
        const { a } = await twoTenants();
        await createAp(a.id, 'aa:bb:cc:00:00:01');
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:02');
        await expectAppError(
          p().registry.update({ tenantId: a.id, id: provisioned.ap.id, ap: { ...provisioned.ap, mac: mac('aa:bb:cc:00:00:01') }, profile: profile(), draft: draft('new\n'), actor: 'x' }),
          E.AP_EXISTS,
        );
        expect(await p().registry.get(a.id, provisioned.ap.id)).toEqual(provisioned);
        expect((await p().versions.current(a.id, provisioned.ap.id))?.version).toBe(1);
      });

      it('deletes the AP with its versions, credentials and state', async () => {
        const { a } = await twoTenants();
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:01');
        await p().registry.delete({ tenantId: a.id, id: provisioned.ap.id, actor: 'x' });
        expect(await p().registry.get(a.id, provisioned.ap.id)).toBeNull();
        expect(await p().versions.history(a.id, provisioned.ap.id)).toEqual([]);
        expect(await p().enrolments.find(sha('enrol-aa:bb:cc:00:00:01'))).toBeNull();
        expect(await fx.stores.accessPoints.findByMac(mac('aa:bb:cc:00:00:01'))).toBeNull();
        await expectAppError(p().registry.delete({ tenantId: a.id, id: provisioned.ap.id, actor: 'x' }), E.AP_NOT_FOUND);
      });
    });

    describe('versions and variables', () => {
      it('numbers versions per AP, keeps history newest first, and skips unchanged drafts', async () => {
        const { a, b } = await twoTenants();
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:01', 'v1\n');
        const id = provisioned.ap.id;
        clock.advance(MINUTE);
        const [v2] = await p().versions.publish({ tenantId: a.id, drafts: [{ apId: id, draft: draft('v2\n', { reason: 'republish' }) }], actor: 'token:t' });
        expect(v2).toMatchObject({ version: 2, reason: 'republish', createdAt: new Date(T0.getTime() + MINUTE) });
        expect(await p().versions.publish({ tenantId: a.id, drafts: [{ apId: id, draft: draft('v2\n') }], actor: 'token:t' })).toEqual([]);
        // Rolling back republishes old content as a new version.
        const [v3] = await p().versions.publish({ tenantId: a.id, drafts: [{ apId: id, draft: draft('v1\n', { reason: 'rollback:1' }) }], actor: 'token:t' });
        expect(v3?.version).toBe(3);
        expect((await p().versions.history(a.id, id)).map((v) => v.version)).toEqual([3, 2, 1]);
        expect((await p().versions.history(a.id, id, { limit: 1 })).map((v) => v.version)).toEqual([3]);
        expect(await p().versions.current(a.id, id)).toMatchObject({ version: 3, bundle: 'v1\n', checksum: sha('v1\n'), secretDigest: null });
        const head = await p().versions.head(a.id, id);
        expect(head).toMatchObject({ version: 3, checksum: sha('v1\n'), reason: 'rollback:1', actor: 'token:t' });
        expect(head).not.toHaveProperty('bundle');
        expect(await p().versions.head(b.id, id)).toBeNull();
        expect(await p().versions.get(a.id, id, 2)).toMatchObject({ bundle: 'v2\n' });
        expect(await p().versions.get(a.id, id, 9)).toBeNull();
      });

      it('keeps federation and municipality variables apart and publishes their drafts in the same call', async () => {
        const { a, b } = await twoTenants();
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:01', 'v1\n');
        expect(await p().variables.get(null)).toEqual({});
        const published = await p().variables.set({ tenantId: null, variables: { ssid: 'Wi-Fi public', uamSecret: 'hush' }, drafts: [{ apId: provisioned.ap.id, draft: draft('v2\n') }], actor: 'token:admin' });
        expect(published.map((v) => v.version)).toEqual([2]);
        await p().variables.set({ tenantId: a.id, variables: { ssid: 'Rennes' }, drafts: [], actor: 'token:t' });
        expect(await p().variables.get(null)).toEqual({ ssid: 'Wi-Fi public', uamSecret: 'hush' });
        expect(await p().variables.get(a.id)).toEqual({ ssid: 'Rennes' });
        expect(await p().variables.get(b.id)).toEqual({});
        const ev = (await fx.stores.audit.list({ tenantId: null })).find((e) => e.action === 'variables.set');
        expect(ev?.after).toEqual({ ssid: 'Wi-Fi public', uamSecret: '[redacted]' });
      });
    });

    describe('enrolment and credentials', () => {
      const credential = (k: string) => ({ keyHash: sha(k), certificateSerial: null, certificateNotAfter: null, certificatePem: null });

      it('redeems a token once; a replay is "used", a wrong one "unknown", a late one "expired"', async () => {
        const { a } = await twoTenants();
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:01');
        const tokenHash = sha('enrol-aa:bb:cc:00:00:01');
        const ok = await p().enrolments.redeem({ tokenHash, now: clock.now(), credential: credential('key-1') });
        expect(ok).toMatchObject({ ok: true, tenantId: a.id, apId: provisioned.ap.id });
        expect(await p().credentials.findByKeyHash(sha('key-1'))).toMatchObject({ apId: provisioned.ap.id, tenantId: a.id });
        expect(await p().enrolments.redeem({ tokenHash, now: clock.now(), credential: credential('key-2') })).toEqual({ ok: false, reason: 'used' });
        expect(await p().credentials.findByKeyHash(sha('key-2'))).toBeNull();
        expect(await p().enrolments.redeem({ tokenHash: sha('nope'), now: clock.now(), credential: credential('k') })).toEqual({ ok: false, reason: 'unknown' });
        await p().enrolments.issue({ tenantId: a.id, apId: provisioned.ap.id, enrolment: { tokenHash: sha('late'), expiresAt: clock.now() }, actor: 'x' });
        expect(await p().enrolments.redeem({ tokenHash: sha('late'), now: clock.now(), credential: credential('k') })).toEqual({ ok: false, reason: 'expired' });
        expect((await p().agents.state(a.id, provisioned.ap.id))?.enrolledAt).toEqual(T0);
      });

      it('re-enrolment replaces the device key; a new token drops the unused one', async () => {
        const { a, b } = await twoTenants();
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:01');
        const id = provisioned.ap.id;
        await p().enrolments.redeem({ tokenHash: sha('enrol-aa:bb:cc:00:00:01'), now: clock.now(), credential: credential('key-1') });
        const exp = new Date(T0.getTime() + HOUR);
        await p().enrolments.issue({ tenantId: a.id, apId: id, enrolment: { tokenHash: sha('t2'), expiresAt: exp }, actor: 'x' });
        await p().enrolments.issue({ tenantId: a.id, apId: id, enrolment: { tokenHash: sha('t3'), expiresAt: exp }, actor: 'x' });
        expect(await p().enrolments.find(sha('t2'))).toBeNull();
        expect(await p().enrolments.redeem({ tokenHash: sha('t3'), now: clock.now(), credential: { ...credential('key-2'), certificateSerial: '0a', certificateNotAfter: exp, certificatePem: 'PEM' } })).toMatchObject({ ok: true });
        expect(await p().credentials.findByKeyHash(sha('key-1'))).toBeNull();
        expect(await p().credentials.get(a.id, id)).toMatchObject({ keyHash: sha('key-2'), certificateSerial: '0a', certificateNotAfter: exp, certificatePem: 'PEM' });
        expect(await p().credentials.get(b.id, id)).toBeNull();
        await expectAppError(p().enrolments.issue({ tenantId: b.id, apId: id, enrolment: { tokenHash: sha('t4'), expiresAt: exp }, actor: 'x' }), E.AP_NOT_FOUND);
      });
    });

    describe('agent state', () => {
      it('moves pending → applied → pending on a new version; repeated reports change nothing', async () => {
        const { a } = await twoTenants();
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:01', 'v1\n');
        const id = provisioned.ap.id;
        expect(await p().agents.state(a.id, id)).toMatchObject({ status: 'pending', currentVersion: 1, currentChecksum: sha('v1\n'), publishedAt: T0 });
        clock.advance(MINUTE);
        const r1 = await p().agents.report({ tenantId: a.id, apId: id, version: 1, status: 'applied', message: null, at: clock.now() });
        expect(r1.changed).toBe(true);
        expect(r1.state).toMatchObject({ status: 'applied', appliedVersion: 1, appliedAt: clock.now() });
        const r2 = await p().agents.report({ tenantId: a.id, apId: id, version: 1, status: 'applied', message: null, at: clock.advance(MINUTE) });
        expect(r2.changed).toBe(false);
        expect(r2.state.appliedAt).toEqual(r1.state.appliedAt);
        await p().versions.publish({ tenantId: a.id, drafts: [{ apId: id, draft: draft('v2\n') }], actor: 'x' });
        expect(await p().agents.state(a.id, id)).toMatchObject({ status: 'pending', currentVersion: 2, appliedVersion: 1 });
      });

      it('records an error with its message, clears it when the version is applied after all', async () => {
        const { a } = await twoTenants();
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:01', 'v1\n');
        const id = provisioned.ap.id;
        const e1 = await p().agents.report({ tenantId: a.id, apId: id, version: 1, status: 'error', message: 'uci commit failed', at: clock.now() });
        expect(e1.state).toMatchObject({ status: 'error', errorVersion: 1, errorMessage: 'uci commit failed', errorAt: T0, appliedVersion: null });
        expect((await p().agents.report({ tenantId: a.id, apId: id, version: 1, status: 'error', message: 'uci commit failed', at: clock.advance(1) })).changed).toBe(false);
        const ok = await p().agents.report({ tenantId: a.id, apId: id, version: 1, status: 'applied', message: null, at: clock.now() });
        expect(ok.state).toMatchObject({ status: 'applied', errorVersion: null, errorMessage: null });
        // An older version's applied report never moves appliedVersion back.
        await p().versions.publish({ tenantId: a.id, drafts: [{ apId: id, draft: draft('v2\n') }], actor: 'x' });
        await p().agents.report({ tenantId: a.id, apId: id, version: 2, status: 'applied', message: null, at: clock.now() });
        const old = await p().agents.report({ tenantId: a.id, apId: id, version: 1, status: 'applied', message: null, at: clock.now() });
        expect(old.state).toMatchObject({ appliedVersion: 2, status: 'applied' });
        // A newer version applied supersedes an older version's error.
        await p().versions.publish({ tenantId: a.id, drafts: [{ apId: id, draft: draft('v3\n') }], actor: 'x' });
        await p().agents.report({ tenantId: a.id, apId: id, version: 3, status: 'error', message: 'broken', at: clock.now() });
        await p().versions.publish({ tenantId: a.id, drafts: [{ apId: id, draft: draft('v4\n') }], actor: 'x' });
        const v4 = await p().agents.report({ tenantId: a.id, apId: id, version: 4, status: 'applied', message: null, at: clock.now() });
        expect(v4.state).toMatchObject({ status: 'applied', appliedVersion: 4, errorVersion: null, errorMessage: null });
      });

      it('refuses reports for unknown versions or APs', async () => {
        const { a, b } = await twoTenants();
        const { provisioned } = await createAp(a.id, 'aa:bb:cc:00:00:01', 'v1\n');
        await expectAppError(p().agents.report({ tenantId: a.id, apId: provisioned.ap.id, version: 7, status: 'applied', message: null, at: T0 }), E.CONFIG_VERSION_NOT_FOUND);
        await expectAppError(p().agents.report({ tenantId: b.id, apId: provisioned.ap.id, version: 1, status: 'applied', message: null, at: T0 }), E.AP_NOT_FOUND);
      });

      it('keeps the newest heartbeat, ignores unknown APs, and counts registered and online APs per tenant', async () => {
        const { a, b } = await twoTenants();
        const x = (await createAp(a.id, 'aa:bb:cc:00:00:01')).provisioned.ap.id;
        await createAp(a.id, 'aa:bb:cc:00:00:02');
        const cli = await fx.stores.accessPoints.create(b.id, newAp('aa:bb:cc:00:00:03'));
        const t1 = new Date(T0.getTime() + 10 * MINUTE);
        await p().agents.touch([
          { apId: x, at: t1, info: { agent: '1.0' } },
          { apId: x, at: T0, info: null },
          { apId: cli.id, at: t1, info: null },
          { apId: 'no-such-ap', at: t1, info: null },
        ]);
        expect(await p().agents.state(a.id, x)).toMatchObject({ lastSeenAt: t1, agentInfo: { agent: '1.0' } });
        expect(await p().agents.counts(new Date(t1.getTime() - MINUTE))).toEqual(
          [
            { tenantId: a.id, registered: 2, online: 1 },
            { tenantId: b.id, registered: 1, online: 1 },
          ].sort((m, n) => m.tenantId.localeCompare(n.tenantId)),
        );
        expect((await p().agents.states(a.id)).map((s) => s.apId)).toContain(x);
      });
    });

    describe('secret rotation', () => {
      const setup = async () => {
        const { a, b } = await twoTenants();
        const client = await fx.stores.clients.add(a.id, { name: 'gw', network: '192.0.2.0/24', secret: 'old-secret-0123456789', requireMessageAuthenticator: true, coaPort: 3799 });
        const x = (await createAp(a.id, 'aa:bb:cc:00:00:01', 'x-old\n')).provisioned.ap.id;
        const y = (await createAp(a.id, 'aa:bb:cc:00:00:02', 'y-old\n')).provisioned.ap.id;
        const newSecret = 'new-secret-0123456789';
        const d = (t: string) => draft(t, { secretDigest: sha(newSecret), reason: 'rotation' });
        return { a, b, client, x, y, newSecret, d };
      };
      const secretOf = async (s: Stores, tenantId: string, id: string) => (await s.clients.list(tenantId)).find((c) => c.id === id)?.secret;

      it('keeps the old secret until every AP reported a version with the new one applied', async () => {
        const { a, client, x, y, newSecret, d } = await setup();
        const { rotation, published } = await p().rotations.start({ tenantId: a.id, clientId: client.id, newSecret, drafts: [{ apId: x, draft: d('x-new\n') }, { apId: y, draft: d('y-new\n') }], actor: 'token:t' });
        expect(published.map((v) => v.version)).toEqual([2, 2]);
        expect(rotation).toMatchObject({ clientId: client.id, newSecret, completedAt: null });
        expect([...rotation.pendingApIds].sort()).toEqual([x, y].sort());
        expect(await p().rotations.open(null)).toHaveLength(1);
        await expectAppError(p().rotations.start({ tenantId: a.id, clientId: client.id, newSecret: 'third-secret-0123456', drafts: [], actor: 'x' }), E.ROTATION_IN_PROGRESS);
        // Applying the old version does not count.
        expect((await p().agents.report({ tenantId: a.id, apId: x, version: 1, status: 'applied', message: null, at: T0 })).completedRotations).toEqual([]);
        expect((await p().agents.report({ tenantId: a.id, apId: x, version: 2, status: 'applied', message: null, at: T0 })).completedRotations).toEqual([]);
        expect(await secretOf(fx.stores, a.id, client.id)).toBe('old-secret-0123456789');
        expect((await p().rotations.get(a.id, rotation.id))?.pendingApIds).toEqual([y]);
        const last = await p().agents.report({ tenantId: a.id, apId: y, version: 2, status: 'applied', message: null, at: clock.advance(MINUTE) });
        expect(last.completedRotations).toHaveLength(1);
        expect(last.completedRotations[0]).toMatchObject({ id: rotation.id, completedAt: clock.now() });
        expect(await secretOf(fx.stores, a.id, client.id)).toBe(newSecret);
        expect(await p().rotations.open(a.id)).toEqual([]);
        expect((await p().rotations.list(a.id)).map((r) => r.id)).toEqual([rotation.id]);
      });

      it('a rollback to a version with the old secret does not complete it', async () => {
        const { a, client, x, y, newSecret, d } = await setup();
        await p().rotations.start({ tenantId: a.id, clientId: client.id, newSecret, drafts: [{ apId: x, draft: d('x-new\n') }, { apId: y, draft: d('y-new\n') }], actor: 'x' });
        await p().versions.publish({ tenantId: a.id, drafts: [{ apId: y, draft: draft('y-old\n', { reason: 'rollback:1' }) }], actor: 'x' });
        await p().agents.report({ tenantId: a.id, apId: x, version: 2, status: 'applied', message: null, at: T0 });
        expect((await p().agents.report({ tenantId: a.id, apId: y, version: 3, status: 'applied', message: null, at: T0 })).completedRotations).toEqual([]);
        expect(await secretOf(fx.stores, a.id, client.id)).toBe('old-secret-0123456789');
      });

      it('stays open without APs (gateways configured by hand), completes when the last pending AP is deleted, or when an operator forces it', async () => {
        const { a, b, client, x, y, newSecret, d } = await setup();
        const other = await fx.stores.clients.add(b.id, { name: 'gw-b', network: '198.51.100.0/24', secret: 'b-old-secret-012345', requireMessageAuthenticator: true, coaPort: 3799 });
        const none = await p().rotations.start({ tenantId: b.id, clientId: other.id, newSecret: 'b-new-secret-0123456', drafts: [], actor: 'x' });
        expect(none.rotation.completedAt).toBeNull();
        expect(await secretOf(fx.stores, b.id, other.id)).toBe('b-old-secret-012345');
        expect((await p().rotations.open(b.id)).map((r) => r.id)).toEqual([none.rotation.id]);
        await p().rotations.complete({ tenantId: b.id, id: none.rotation.id, actor: 'x' });
        expect(await secretOf(fx.stores, b.id, other.id)).toBe('b-new-secret-0123456');

        const { rotation } = await p().rotations.start({ tenantId: a.id, clientId: client.id, newSecret, drafts: [{ apId: x, draft: d('x-new\n') }, { apId: y, draft: d('y-new\n') }], actor: 'x' });
        await p().registry.delete({ tenantId: a.id, id: x, actor: 'x' });
        expect((await p().rotations.get(a.id, rotation.id))?.pendingApIds).toEqual([y]);
        await expectAppError(p().rotations.complete({ tenantId: b.id, id: rotation.id, actor: 'x' }), E.ROTATION_NOT_FOUND);
        const forced = await p().rotations.complete({ tenantId: a.id, id: rotation.id, actor: 'token:ops' });
        expect(forced.completedAt).not.toBeNull();
        expect(await secretOf(fx.stores, a.id, client.id)).toBe(newSecret);
        const ev = (await fx.stores.audit.list({ tenantId: a.id })).find((e) => e.action === 'radius-secret.rotation.complete');
        expect(ev?.after).toMatchObject({ strandedApIds: [y] });
        expect(JSON.stringify(await fx.stores.audit.list({}))).not.toContain(newSecret);
      });

      it('refuses a client of another tenant: CLIENT_NOT_FOUND', async () => {
        const { b, client, newSecret } = await setup();
        await expectAppError(p().rotations.start({ tenantId: b.id, clientId: client.id, newSecret, drafts: [], actor: 'x' }), E.CLIENT_NOT_FOUND);
      });
    });
  });
}
