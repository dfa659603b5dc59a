/**
 * The provisioning port's contract against PostgreSQL, then what only a
 * database several nodes share has: two stores on two pools (two nodes)
 * publishing for one AP, redeeming one enrolment token, starting rotations
 * for one client, reporting the last two APs of a rotation, at the same
 * moment. The contract suite shares one fresh `wfc_test_<random>` schema,
 * emptied after each test; the node tests each make their own; all are
 * dropped at the end. Skipped when no PostgreSQL answers, except under CI,
 * where usePostgres() throws instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgresStores } from '../../controller/adapters/postgres/index.js';
import { openPostgresProvisioningStore } from '../../controller/adapters/postgres/provisioning-store.js';
import { AppError, E } from '../../controller/errors.js';
import { DEFAULT_PROFILE, type ProvisioningStore } from '../../controller/ports/provisioning.js';
import type { Stores } from '../../controller/ports/stores.js';
import { usePostgres } from '../helpers/services.js';
import { HOUR, ManualClock, newAp, newTenant, T0 } from './harness.js';
import { describeProvisioningStore, draft, type MakeProvisioning } from './provisioning-store.contract.js';

const service = await usePostgres();
const url = service?.url ?? '';
const admin = service ? new pg.Pool({ connectionString: url, max: 2 }) : null;

const schemas = new Set<string>();
function freshSchema(): string {
  const schema = `wfc_test_${randomBytes(6).toString('hex')}`;
  schemas.add(schema);
  return schema;
}
afterAll(async () => {
  for (const s of schemas) await admin!.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await admin?.end();
  await service?.stop();
});

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The core stores and the provisioning store on their own pools, as a node opens them (controller/main.ts). */
const contractSchema = freshSchema();
const inContractSchema: MakeProvisioning = async ({ clock }) => {
  const stores = await openPostgresStores({ url, schema: contractSchema, poolSize: 4 }, { clock });
  const provisioning = await openPostgresProvisioningStore({ url, schema: contractSchema, poolSize: 4 }, { clock });
  return {
    stores,
    provisioning,
    async cleanup() {
      await provisioning.close();
      await stores.close();
      const { rows } = await admin!.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'",
        [contractSchema],
      );
      await admin!.query(`TRUNCATE ${rows.map((r) => `${contractSchema}.${r.tablename}`).join(', ')} RESTART IDENTITY`);
    },
  };
};

interface NodeStores {
  readonly stores: Stores;
  readonly provisioning: ProvisioningStore;
}

describe.skipIf(!service)('PostgreSQL provisioning', () => {
  describeProvisioningStore('PostgreSQL', inContractSchema);

  describe('two nodes on one schema', () => {
    let nodes: NodeStores[];
    let clock: ManualClock;
    beforeEach(async () => {
      const schema = freshSchema();
      clock = new ManualClock();
      nodes = [];
      for (let i = 0; i < 2; i++) {
        nodes.push({
          stores: await openPostgresStores({ url, schema, poolSize: 4 }, { clock }),
          provisioning: await openPostgresProvisioningStore({ url, schema, poolSize: 8 }, { clock }),
        });
      }
    });
    afterEach(async () => {
      for (const n of nodes) {
        await n.provisioning.close();
        await n.stores.close();
      }
    });
    const [a, b] = [() => nodes[0]!, () => nodes[1]!];

    const registered = async (m: string, enrolment: string | null = null) => {
      const t = (await a().stores.tenants.getBySlug('rennes')) ?? (await a().stores.tenants.create(newTenant('rennes')));
      const { provisioned } = await a().provisioning.registry.create({
        tenantId: t.id,
        ap: newAp(m),
        profile: DEFAULT_PROFILE,
        enrolment: enrolment === null ? null : { tokenHash: sha(enrolment), expiresAt: new Date(T0.getTime() + HOUR) },
        draft: draft(`v1 ${m}\n`),
        actor: 'test',
      });
      return { tenantId: t.id, apId: provisioned.ap.id };
    };

    it('numbers the versions of concurrent publishes for one AP consecutively, without duplicates', async () => {
      const { tenantId, apId } = await registered('aa:bb:cc:00:01:01');
      const rounds = 20;
      const published = await Promise.all(
        Array.from({ length: rounds }, (_, i) =>
          nodes[i % 2]!.provisioning.versions.publish({ tenantId, drafts: [{ apId, draft: draft(`node ${i % 2} change ${i}\n`) }], actor: `node-${i % 2}` }),
        ),
      );
      const versions = published.flat().map((p) => p.version);
      expect(versions).toHaveLength(rounds);
      expect([...versions].sort((x, y) => x - y)).toEqual(Array.from({ length: rounds }, (_, i) => i + 2));
      const history = await b().provisioning.versions.history(tenantId, apId);
      expect(history.map((v) => v.version)).toEqual(Array.from({ length: rounds + 1 }, (_, i) => rounds + 1 - i));
      // The current version is the newest, whichever node wrote it.
      const current = await a().provisioning.versions.current(tenantId, apId);
      expect(current?.version).toBe(rounds + 1);
      expect(current?.checksum).toBe(history[0]!.checksum);
    });

    it('publishes the same draft from two nodes once: the second finds it current', async () => {
      const { tenantId, apId } = await registered('aa:bb:cc:00:01:02');
      const d = { apId, draft: draft('the same\n') };
      const [x, y] = await Promise.all([
        a().provisioning.versions.publish({ tenantId, drafts: [d], actor: 'a' }),
        b().provisioning.versions.publish({ tenantId, drafts: [d], actor: 'b' }),
      ]);
      expect([...x, ...y].map((p) => p.version)).toEqual([2]);
    });

    it('does not deadlock when two nodes publish for the same APs in opposite orders', async () => {
      const x = await registered('aa:bb:cc:00:01:03');
      const y = await registered('aa:bb:cc:00:01:04');
      const runs = await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const drafts = [
            { apId: x.apId, draft: draft(`x ${i}\n`) },
            { apId: y.apId, draft: draft(`y ${i}\n`) },
          ];
          return nodes[i % 2]!.provisioning.variables.set({ tenantId: x.tenantId, variables: { ssid: `run ${i}` }, drafts: i % 2 ? drafts.reverse() : drafts, actor: 't' });
        }),
      );
      expect(runs.flat()).toHaveLength(20);
      for (const ap of [x, y]) expect((await a().provisioning.versions.history(ap.tenantId, ap.apId)).map((v) => v.version)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    });

    it('redeems one enrolment token once across nodes: exactly one succeeds, the others find it used', async () => {
      const { apId } = await registered('aa:bb:cc:00:02:01', 'enrol-token');
      const attempts = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          nodes[i % 2]!.provisioning.enrolments.redeem({
            tokenHash: sha('enrol-token'),
            now: clock.now(),
            credential: { keyHash: sha(`key-${i}`), certificateSerial: null, certificateNotAfter: null, certificatePem: null },
          }),
        ),
      );
      const ok = attempts.filter((r) => r.ok);
      expect(ok).toHaveLength(1);
      expect(attempts.filter((r) => !r.ok)).toEqual(Array.from({ length: 5 }, () => ({ ok: false, reason: 'used' })));
      const winner = ok[0]!;
      if (!winner.ok) throw new Error('unreachable');
      // The AP's one credential is the winner's key.
      expect((await b().provisioning.credentials.findByKeyHash(winner.credential.keyHash))?.apId).toBe(apId);
      for (let i = 0; i < 6; i++) {
        const k = await a().provisioning.credentials.findByKeyHash(sha(`key-${i}`));
        expect(k === null).toBe(sha(`key-${i}`) !== winner.credential.keyHash);
      }
      expect((await a().stores.audit.list({ action: 'ap.enrol' })).length).toBe(1);
    });

    it('starts one rotation per client when two nodes start one at once: ROTATION_IN_PROGRESS for the other', async () => {
      const { tenantId } = await registered('aa:bb:cc:00:03:01');
      const client = await a().stores.clients.add(tenantId, { name: 'gw', network: '192.0.2.0/24', secret: 'old-secret-0123456789', requireMessageAuthenticator: true, coaPort: 3799 });
      const outcomes = await Promise.allSettled(
        [a(), b()].map((n, i) => n.provisioning.rotations.start({ tenantId, clientId: client.id, newSecret: `new-secret-${i}-0123456789`, drafts: [], actor: 'x' })),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(AppError);
      expect((refused.reason as AppError).code).toBe(E.ROTATION_IN_PROGRESS.code);
      expect(await b().provisioning.rotations.open(tenantId)).toHaveLength(1);
    });

    it('completes a rotation when its last two APs report on two nodes at once, once', async () => {
      const x = await registered('aa:bb:cc:00:04:01');
      const y = await registered('aa:bb:cc:00:04:02');
      const client = await a().stores.clients.add(x.tenantId, { name: 'gw', network: '192.0.2.0/24', secret: 'old-secret-0123456789', requireMessageAuthenticator: true, coaPort: 3799 });
      // Rounds, because a lost race shows only now and then.
      const rounds = 8;
      for (let round = 0; round < rounds; round++) {
        const newSecret = `new-secret-${round}-0123456789`;
        const d = (t: string) => draft(t, { secretDigest: sha(newSecret), reason: 'rotation' });
        const { rotation, published } = await a().provisioning.rotations.start({
          tenantId: x.tenantId,
          clientId: client.id,
          newSecret,
          drafts: [
            { apId: x.apId, draft: d(`x ${round}\n`) },
            { apId: y.apId, draft: d(`y ${round}\n`) },
          ],
          actor: 't',
        });
        const reports = await Promise.all(
          [x, y].map((ap, i) =>
            nodes[i]!.provisioning.agents.report({ tenantId: ap.tenantId, apId: ap.apId, version: published[i]!.version, status: 'applied', message: null, at: clock.now() }),
          ),
        );
        expect(reports.flatMap((r) => r.completedRotations.map((c) => c.id))).toEqual([rotation.id]);
        expect((await b().stores.clients.list(x.tenantId))[0]?.secret).toBe(newSecret);
      }
      expect((await a().stores.audit.list({ action: 'radius-secret.rotation.complete' })).length).toBe(rounds);
      expect(await b().provisioning.rotations.open(null)).toEqual([]);
    });

    it('keeps every heartbeat of two nodes: the newest time wins', async () => {
      const { tenantId, apId } = await registered('aa:bb:cc:00:05:01');
      const times = Array.from({ length: 10 }, (_, i) => new Date(T0.getTime() + i * 1000));
      await Promise.all(times.map((at, i) => nodes[i % 2]!.provisioning.agents.touch([{ apId, at, info: { agentVersion: `1.${i}` } }])));
      expect((await a().provisioning.agents.state(tenantId, apId))?.lastSeenAt).toEqual(times[9]);
    });
  });

  describe('what text cannot hold', () => {
    const schema = freshSchema();
    let n: NodeStores;
    beforeEach(async () => {
      n = {
        stores: await openPostgresStores({ url, schema, poolSize: 2 }),
        provisioning: await openPostgresProvisioningStore({ url, schema, poolSize: 2 }),
      };
    });
    afterEach(async () => {
      await n.provisioning.close();
      await n.stores.close();
    });

    it('finds nothing by an id or hash with U+0000, and keeps an agent message or heartbeat that has one', async () => {
      const t = await n.stores.tenants.create(newTenant(`t${randomBytes(3).toString('hex')}`));
      const { provisioned } = await n.provisioning.registry.create({ tenantId: t.id, ap: newAp('aa:bb:cc:00:06:01'), profile: DEFAULT_PROFILE, enrolment: null, draft: draft('v1\n'), actor: 'x' });
      const id = provisioned.ap.id;
      expect(await n.provisioning.registry.get(t.id, `${id}\u0000`)).toBeNull();
      expect(await n.provisioning.enrolments.find('\u0000')).toBeNull();
      expect(await n.provisioning.enrolments.redeem({ tokenHash: '\u0000', now: new Date(), credential: { keyHash: 'k', certificateSerial: null, certificateNotAfter: null, certificatePem: null } })).toEqual({
        ok: false,
        reason: 'unknown',
      });
      expect(await n.provisioning.versions.get(t.id, id, 2 ** 40)).toBeNull();
      const r = await n.provisioning.agents.report({ tenantId: t.id, apId: id, version: 1, status: 'error', message: 'bad\u0000byte', at: new Date() });
      expect(r.state.errorMessage).toBe('bad\uFFFDbyte');
      await n.provisioning.agents.touch([{ apId: id, at: new Date(), info: { firmware: 'Open\u0000Wrt' } }]);
      expect((await n.provisioning.agents.state(t.id, id))?.agentInfo).toEqual({ firmware: 'Open\uFFFDWrt' });
    });
  });
});
