/**
 * The PostgreSQL adapter: every contract suite, then what only a shared
 * database has: migrations under an advisory lock, several nodes (pools)
 * writing the same sessions, schema placement. Nothing touches an existing
 * schema: the contract suites share one fresh `wfc_test_<random>`, emptied
 * after each test; the other tests each make their own; all are dropped at
 * the end. Skipped when no PostgreSQL answers, except under CI, where
 * usePostgres() throws instead.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MIGRATIONS,
  migrate,
  openPostgresStores,
  parseSearchPath,
  schemaVersion,
  type PostgresTarget,
} from '../../controller/adapters/postgres/index.js';
import { uniqueViolation } from '../../controller/adapters/postgres/constraints.js';
import { transaction } from '../../controller/adapters/postgres/database.js';
import type { AccountingRecord } from '../../controller/domain/entities.js';
import { AppError, E } from '../../controller/errors.js';
import type { Stores } from '../../controller/ports/stores.js';
import { usePostgres } from '../helpers/services.js';
import { acct, at, DAY, ManualClock, MINUTE, newIdentity, newTenant, SECOND, type MakeStores } from './harness.js';
import { purgeAll, total } from './legal-log-store.contract.js';
import { describeStoresContract } from './stores.contract.js';

const service = await usePostgres();
const url = service?.url ?? '';
const admin = service ? new pg.Pool({ connectionString: url, max: 2 }) : null;
/** Some tests set superuser-only parameters or create a role; without the right they make do or skip. */
const rights = admin
  ? (await admin.query<{ rolsuper: boolean; rolcreaterole: boolean }>('SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user')).rows[0]!
  : { rolsuper: false, rolcreaterole: false };

const schemas = new Set<string>();
function freshSchema(): string {
  const schema = `wfc_test_${randomBytes(6).toString('hex')}`;
  schemas.add(schema);
  return schema;
}
async function dropSchema(schema: string): Promise<void> {
  await admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  schemas.delete(schema);
}
afterAll(async () => {
  for (const s of [...schemas]) await dropSchema(s);
  await admin?.end();
  await service?.stop();
});

/** The same URL with libpq startup options (`-c name=value`), as an operator would write it. */
function withOptions(base: string, options: string): string {
  const u = new URL(base);
  u.searchParams.set('options', options);
  return u.toString();
}

const open = (target: PostgresTarget, clock = new ManualClock()): Promise<Stores> => openPostgresStores(target, { clock });

/**
 * The contract suites share one schema for this file, emptied after each
 * test (the migrations run once; every test still starts from nothing).
 */
const contractSchema = freshSchema();
const inContractSchema: MakeStores = async ({ clock }) => {
  const stores = await openPostgresStores({ url, schema: contractSchema, poolSize: 4 }, { clock });
  return {
    stores,
    async cleanup() {
      await stores.close();
      const { rows } = await admin!.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'",
        [contractSchema],
      );
      await admin!.query(`TRUNCATE ${rows.map((r) => `${contractSchema}.${r.tablename}`).join(', ')} RESTART IDENTITY`);
    },
  };
};

describe.skipIf(!service)('PostgreSQL', () => {
  describeStoresContract('PostgreSQL', inContractSchema);

  describe('PostgreSQL adapter', () => {
    it('uses the injected id generator', async () => {
      let n = 0;
      const schema = freshSchema();
      const stores = await openPostgresStores({ url, schema }, { newId: () => `id-${++n}` });
      try {
        const t = await stores.tenants.create(newTenant('rennes'));
        await stores.accounting.record([acct({ tenantId: t.id, statusType: 'start' })]);
        expect(t.id).toBe('id-1');
        expect((await stores.sessions.list({}))[0]?.id).toBe('id-2');
      } finally {
        await stores.close();
      }
    });

    it('keeps data across close and reopen, and shows one node what another wrote', async () => {
      const schema = freshSchema();
      const first = await open({ url, schema });
      const t = await first.tenants.create(newTenant('rennes'));
      const second = await open({ url, schema });
      expect(await second.tenants.get(t.id)).toEqual(t);
      await first.close();
      await second.close();
      const third = await open({ url, schema });
      expect(await third.tenants.getBySlug('rennes')).toEqual(t);
      await third.close();
    });

    it("puts the tables in the first schema of the URL's search_path, creating it", async () => {
      const schema = freshSchema();
      const stores = await open({ url: withOptions(url, `-c search_path=${schema},public`) });
      try {
        await stores.tenants.create(newTenant('rennes'));
        const { rows } = await admin!.query<{ n: string }>('SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1', [schema]);
        expect(Number(rows[0]!.n)).toBe(23); // the stores' fourteen tables, provisioning's eight and schema_migrations
        expect(await schemaVersion(admin!, schema)).toBe(MIGRATIONS.length);
      } finally {
        await stores.close();
      }
    });

    it('reads search_path as PostgreSQL does: quoted names kept, unquoted folded', () => {
      expect(parseSearchPath('"$user", public')).toEqual(['$user', 'public']);
      expect(parseSearchPath('WFC ,  "My ""x"" schema",b')).toEqual(['wfc', 'My "x" schema', 'b']);
      expect(parseSearchPath('')).toEqual([]);
    });

    it('refuses a schema name that would need quoting', async () => {
      await expect(open({ url, schema: 'Robert"); DROP TABLE x; --' })).rejects.toThrow(/schema name/);
      await expect(open({ url, schema: '1abc' })).rejects.toThrow(/schema name/);
    });

    it("leaves the caller's pool open on close()", async () => {
      const schema = freshSchema();
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      try {
        const stores = await open({ pool, schema });
        await stores.close();
        await stores.close();
        expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
      } finally {
        await pool.end();
      }
    });

    it('starts a transaction over on a deadlock or serialization failure, and on what the caller names, only', async () => {
      const failing = (code: string) => Object.assign(new pg.DatabaseError(`simulated ${code}`, 0, 'error'), { code });
      for (const [code, retried] of [
        ['40P01', true],
        ['40001', true],
        ['23505', true], // named by `retryable` below
        ['23503', false],
      ] as const) {
        let calls = 0;
        const outcome = transaction(
          admin!,
          async (tx) => {
            calls++;
            await tx.query('SELECT 1');
            if (calls === 1) throw failing(code);
            return 'done';
          },
          { attempts: 3, retryable: (e) => (e as { code?: string }).code === '23505' },
        );
        if (retried) expect(await outcome).toBe('done');
        else await expect(outcome).rejects.toThrow(`simulated ${code}`);
        expect(calls).toBe(retried ? 2 : 1);
      }
      let calls = 0;
      await expect(
        transaction(
          admin!,
          async () => {
            calls++;
            throw failing('40P01');
          },
          { attempts: 3 },
        ),
      ).rejects.toThrow('simulated 40P01');
      expect(calls).toBe(3);
    });

    it('refuses an invalid Date before it reaches the server', async () => {
      const schema = freshSchema();
      const stores = await open({ url, schema });
      try {
        const alice = await stores.identities.create(newIdentity('alice'));
        await expect(stores.identities.touch(alice.id, new Date(Number.NaN))).rejects.toThrow(RangeError);
        expect(await stores.identities.get(alice.id)).toEqual(alice);
      } finally {
        await stores.close();
      }
    });

    it('rejects, and leaves no pool behind, when the server cannot be reached', async () => {
      const u = new URL(url);
      u.port = '1'; // nothing listens on tcp/1
      await expect(open({ url: u.toString(), schema: freshSchema() })).rejects.toThrow();
    });

    it('stores U+0000 from a NAS as U+FFFD, and finds nothing by a value holding one', async () => {
      const schema = freshSchema();
      const stores = await open({ url, schema });
      try {
        const t = await stores.tenants.create(newTenant('rennes'));
        await stores.accounting.record([acct({ tenantId: t.id, statusType: 'start', username: 'al\u0000ice', acctSessionId: 's\u00001' })]);
        expect((await stores.sessions.list({}))[0]).toMatchObject({ username: 'al\uFFFDice', acctSessionId: 's\uFFFD1' });
        expect(await stores.identities.getByUsername('al\u0000ice')).toBeNull();
        expect(await stores.accessPoints.findByNasIdentifier(t.id, 'gw\u0000')).toBeNull();
        expect(await stores.tenants.get('x\u0000')).toBeNull();
      } finally {
        await stores.close();
      }
    });
  });

  describe('PostgreSQL migrations', () => {
    it('brings a new schema to the latest version, recording each, and does nothing the second time', async () => {
      const schema = freshSchema();
      expect(await schemaVersion(admin!, schema)).toBe(0);
      expect(await migrate(admin!, schema)).toEqual({ from: 0, to: MIGRATIONS.length });
      expect(await migrate(admin!, schema)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length });
      const { rows } = await admin!.query<{ version: number; name: string }>(`SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`);
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    });

    it('numbers migrations 1..n in order', () => {
      expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    });

    it('refuses a schema written by a newer release: WFC_NOT_READY', async () => {
      const schema = freshSchema();
      await migrate(admin!, schema);
      const future = MIGRATIONS.length + 1;
      await admin!.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, 'from the future')`, [future]);
      const err = await open({ url, schema }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(E.NOT_READY.code);
      expect((err as AppError).message).toContain(`version ${future}`);
    });

    it('applies pending migrations in one transaction: a failing one leaves the schema as it was', async () => {
      const schema = freshSchema();
      const migrations = [
        { version: 1, name: 'one', sql: 'CREATE TABLE one (x integer);' },
        { version: 2, name: 'two', sql: 'CREATE TABLE two (x integer);' },
        { version: 3, name: 'broken', sql: 'CREATE TABLE three (x integer); INSERT INTO nowhere VALUES (1);' },
      ];
      await expect(migrate(admin!, schema, migrations)).rejects.toThrow(/nowhere/);
      // Even the schema was created inside the transaction.
      expect((await admin!.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount).toBe(0);
      expect(await migrate(admin!, schema, migrations.slice(0, 2))).toEqual({ from: 0, to: 2 });
      expect(await schemaVersion(admin!, schema)).toBe(2);
      expect((await admin!.query(`SELECT to_regclass('${schema}.three') AS t`)).rows[0]).toEqual({ t: null });
    });

    it('lets a node whose role may only read and write start on an up-to-date schema', async (ctx) => {
      if (!rights.rolsuper && !rights.rolcreaterole) ctx.skip();
      const schema = freshSchema();
      await migrate(admin!, schema);
      const role = `wfc_test_rw_${randomBytes(4).toString('hex')}`;
      const password = randomBytes(12).toString('hex');
      await admin!.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      try {
        await admin!.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
        await admin!.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
        const u = new URL(url);
        u.username = role;
        u.password = password;
        const stores = await open({ url: u.toString(), schema });
        try {
          const t = await stores.tenants.create(newTenant('rennes'));
          await stores.accounting.record([acct({ tenantId: t.id, statusType: 'start' })]);
          expect(await stores.sessions.list({})).toHaveLength(1);
        } finally {
          await stores.close();
        }
        // The same role cannot create what is missing: the error says so.
        await expect(open({ url: u.toString(), schema: freshSchema() })).rejects.toThrow(/permission denied/);
      } finally {
        await admin!.query(`DROP OWNED BY ${role}`);
        await admin!.query(`DROP ROLE ${role}`);
      }
    });

    it('migrates a schema with sessions (version 4): rows kept, a stopped key may come back, an active one may not', async () => {
      const schema = freshSchema();
      await migrate(admin!, schema, MIGRATIONS.filter((m) => m.version < 4));
      await admin!.query(
        `INSERT INTO ${schema}.tenants (id, slug, name, insee_code, branding, policy, created_at, updated_at)
         VALUES ('t-1', 'rennes', 'Rennes', '35238', '{}', '{}', $1, $1)`,
        [at(0)],
      );
      const insertSession = (id: string, key: string, updatedAt: Date, stoppedAt: Date | null) =>
        admin!.query(
          `INSERT INTO ${schema}.sessions (id, tenant_id, nas_ip, acct_session_id, username, started_at, updated_at, stopped_at,
             session_time, input_octets, output_octets, terminate_cause, status, nas_address)
           VALUES ($1, 't-1', '192.0.2.10', $2, 'alice', $3, $4, $5, 600, 5000, 9000, $6, $7, '198.51.100.20')`,
          [id, key, at(0), updatedAt, stoppedAt, stoppedAt ? 'User-Request' : null, stoppedAt ? 'stopped' : 'active'],
        );
      await insertSession('s-old', 'sess-1', at(10 * MINUTE), at(10 * MINUTE));
      await insertSession('s-live', 'sess-2', at(11 * MINUTE), null);
      const stores = await open({ url, schema });
      try {
        const before = await stores.sessions.list({ tenantId: 't-1' });
        expect(before.map((s) => [s.id, s.status, s.inputOctets, s.nasAddress])).toEqual([
          ['s-live', 'active', 5000, '198.51.100.20'],
          ['s-old', 'stopped', 5000, '198.51.100.20'],
        ]);
        await stores.accounting.record([
          acct({ tenantId: 't-1', statusType: 'start', acctSessionId: 'sess-1', eventAt: at(12 * MINUTE) }),
          acct({ tenantId: 't-1', statusType: 'start', acctSessionId: 'sess-2', eventAt: at(12 * MINUTE) }),
        ]);
        const after = await stores.sessions.list({ tenantId: 't-1' });
        expect(after).toHaveLength(3);
        expect(after[0]).toMatchObject({ acctSessionId: 'sess-1', status: 'active', startedAt: at(12 * MINUTE) });
        expect(after.slice(1)).toEqual([{ ...before[0]!, updatedAt: at(12 * MINUTE), framedIp: '10.0.0.2' }, before[1]]);
      } finally {
        await stores.close();
      }
      expect(await schemaVersion(admin!, schema)).toBe(MIGRATIONS.length);
      const { rows: constraints } = await admin!.query<{ conname: string }>(
        `SELECT conname FROM pg_constraint WHERE conrelid = '${schema}.sessions'::regclass AND contype = 'u' ORDER BY conname`,
      );
      expect(constraints.map((c) => c.conname)).toEqual(['sessions_id_key']);
      const duplicate = await admin!
        .query(
          `INSERT INTO ${schema}.sessions (id, tenant_id, nas_ip, acct_session_id, username, started_at, updated_at, session_time, input_octets, output_octets, status)
           VALUES ('dup', 't-1', '192.0.2.10', 'sess-2', 'alice', now(), now(), 0, 0, 0, 'active')`,
        )
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(uniqueViolation(duplicate)).toBe('sessions_active_key');
    });

    it('refuses a migration list with gaps', async () => {
      await expect(migrate(admin!, freshSchema(), [{ version: 2, name: 'gap', sql: '' }])).rejects.toThrow(/expected 1/);
    });

    it('migrates once when several nodes start together', async () => {
      const schema = freshSchema();
      const pools = [0, 1, 2, 3].map(() => new pg.Pool({ connectionString: url, max: 1 }));
      try {
        const results = await Promise.all(pools.map((p) => migrate(p, schema)));
        expect(results.filter((r) => r.from === 0)).toHaveLength(1);
        expect(results.filter((r) => r.from === MIGRATIONS.length)).toHaveLength(pools.length - 1);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
      const again = freshSchema();
      const nodes = await Promise.all([0, 1, 2, 3].map(() => open({ url, schema: again })));
      try {
        const { rows } = await admin!.query<{ version: number }>(`SELECT version FROM ${again}.schema_migrations ORDER BY version`);
        expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
        await nodes[0]!.tenants.create(newTenant('rennes'));
        for (const n of nodes) expect(await n.tenants.getBySlug('rennes')).not.toBeNull();
      } finally {
        await Promise.all(nodes.map((n) => n.close()));
      }
    });
  });

  describe('PostgreSQL scale-out: several nodes, one federation', () => {
    /** Two controller nodes: two pools on one schema. */
    const twoNodes = async (options?: string): Promise<{ a: Stores; b: Stores; tenantId: string; close(): Promise<void> }> => {
      const schema = freshSchema();
      const target = { url: options && rights.rolsuper ? withOptions(url, options) : url, schema, poolSize: 4 };
      const a = await open(target);
      const b = await open(target);
      const tenantId = (await a.tenants.create(newTenant('rennes'))).id;
      return { a, b, tenantId, close: async () => void (await Promise.all([a.close(), b.close()])) };
    };
    const GIGA = 2 ** 32;

    it('two nodes recording Interim-Updates of one session in parallel: counters end at the max, no record lost', async () => {
      const { a, b, tenantId, close } = await twoNodes();
      try {
        const N = 60;
        // The Start was lost: the first Interim creates the session, on whichever node wins.
        const interim = (i: number): AccountingRecord =>
          acct({
            tenantId,
            statusType: 'interim',
            eventAt: at(i * MINUTE),
            sessionTime: i * 60,
            inputOctets: GIGA + i * 1000,
            outputOctets: i * 5000,
          });
        // Shuffled, so each node sees the counters out of order, several transactions in flight per node.
        const order = Array.from({ length: N }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
        await Promise.all(order.map((i, k) => (k % 2 === 0 ? a : b).accounting.record([interim(i)])));
        expect(await a.accounting.count()).toBe(N);
        const all = await b.sessions.list({});
        expect(all).toHaveLength(1);
        expect(all[0]).toMatchObject({
          status: 'active',
          updatedAt: at(N * MINUTE),
          sessionTime: N * 60,
          inputOctets: GIGA + N * 1000,
          outputOctets: N * 5000,
        });
      } finally {
        await close();
      }
    });

    it('a Stop on one node and late Interim-Updates on the other: stopped, counters at the max', async () => {
      const { a, b, tenantId, close } = await twoNodes();
      try {
        await a.accounting.record([acct({ tenantId, statusType: 'start' })]);
        const stop = acct({ tenantId, statusType: 'stop', eventAt: at(30 * MINUTE), sessionTime: 1800, inputOctets: 900, terminateCause: 'User-Request' });
        const interims = Array.from({ length: 20 }, (_, i) =>
          acct({ tenantId, statusType: 'interim', eventAt: at((i + 1) * MINUTE), sessionTime: (i + 1) * 60, inputOctets: (i + 1) * 100 }),
        );
        await Promise.all([a.accounting.record([stop]), ...interims.map((r, i) => (i % 2 ? a : b).accounting.record([r]))]);
        const [s] = await a.sessions.list({});
        expect(s).toMatchObject({ status: 'stopped', stoppedAt: at(30 * MINUTE), sessionTime: 1800, inputOctets: 2000, terminateCause: 'User-Request' });
        expect(await b.accounting.count()).toBe(22);
      } finally {
        await close();
      }
    });

    it('batches creating the same sessions in opposite orders on two nodes all commit (a deadlock is retried)', async () => {
      // A deadlock is found after deadlock_timeout: shorten it so the test does not wait a second per round.
      const { a, b, tenantId, close } = await twoNodes('-c deadlock_timeout=20');
      try {
        const ROUNDS = 15;
        for (let round = 0; round < ROUNDS; round++) {
          const recs = ['x', 'y', 'z'].map((k) => acct({ tenantId, statusType: 'start', acctSessionId: `${k}-${round}`, eventAt: at(round * SECOND) }));
          await Promise.all([a.accounting.record(recs), b.accounting.record([...recs].reverse())]);
        }
        expect(await a.accounting.count()).toBe(ROUNDS * 3 * 2);
        expect(await b.sessions.list({})).toHaveLength(ROUNDS * 3);
      } finally {
        await close();
      }
    });

    it('a reused key: the new Start on one node and its Stop on the other at once make one new session, not two', async () => {
      const { a, b, tenantId, close } = await twoNodes();
      try {
        const ROUNDS = 10;
        const key = (round: number) => `reused-${round}`;
        await a.accounting.record(
          Array.from({ length: ROUNDS }, (_, round) => [
            acct({ tenantId, statusType: 'start', acctSessionId: key(round) }),
            acct({ tenantId, statusType: 'stop', acctSessionId: key(round), eventAt: at(10 * MINUTE), sessionTime: 600, terminateCause: 'NAS-Reboot' }),
          ]).flat(),
        );
        for (let round = 0; round < ROUNDS; round++) {
          await Promise.all([
            a.accounting.record([acct({ tenantId, statusType: 'start', acctSessionId: key(round), eventAt: at(12 * MINUTE) })]),
            b.accounting.record([
              acct({ tenantId, statusType: 'stop', acctSessionId: key(round), eventAt: at(20 * MINUTE), sessionTime: 480, inputOctets: 10, terminateCause: 'User-Request' }),
            ]),
          ]);
        }
        const all = await a.sessions.list({ tenantId });
        for (let round = 0; round < ROUNDS; round++) {
          const mine = all.filter((s) => s.acctSessionId === key(round));
          expect(mine.map((s) => [s.startedAt, s.status, s.terminateCause])).toEqual([
            [at(12 * MINUTE), 'stopped', 'User-Request'],
            [at(0), 'stopped', 'NAS-Reboot'],
          ]);
        }
      } finally {
        await close();
      }
    });

    it('an Accounting-On on one node while the other moves that NAS’s sessions: every session ends stopped, once', async () => {
      const { a, b, tenantId, close } = await twoNodes('-c deadlock_timeout=20');
      try {
        const ids = Array.from({ length: 10 }, (_, i) => `s${i}`);
        await a.accounting.record(ids.map((id) => acct({ tenantId, statusType: 'start', acctSessionId: id })));
        await Promise.all([
          a.accounting.record([acct({ tenantId, statusType: 'accounting-on', acctSessionId: '', eventAt: at(10 * MINUTE) })]),
          b.accounting.record([...ids].reverse().map((id) => acct({ tenantId, statusType: 'interim', acctSessionId: id, eventAt: at(5 * MINUTE), sessionTime: 300 }))),
        ]);
        const all = await a.sessions.list({});
        expect(all).toHaveLength(10);
        for (const s of all) expect(s).toMatchObject({ status: 'stopped', stoppedAt: at(10 * MINUTE), terminateCause: 'NAS-Reboot' });
        expect(await a.accounting.count()).toBe(21);
      } finally {
        await close();
      }
    });

    it('two reapers at once close each stale session once', async () => {
      const { a, b, tenantId, close } = await twoNodes();
      try {
        const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
        await a.accounting.record(ids.map((id) => acct({ tenantId, statusType: 'start', acctSessionId: id })));
        const [ra, rb] = await Promise.all([
          a.sessions.closeStale(at(MINUTE), at(MINUTE), 'Lost-Service'),
          b.sessions.closeStale(at(MINUTE), at(MINUTE), 'Lost-Service'),
        ]);
        const closed = [...ra, ...rb].map((s) => s.acctSessionId).sort();
        expect(closed).toEqual([...ids].sort());
      } finally {
        await close();
      }
    });

    it('two nodes purging at once share the work while a hold is placed: each expired session goes once, held ones stay, no error', async () => {
      const { a, b, tenantId, close } = await twoNodes();
      try {
        const N = 60;
        await a.accounting.record(
          Array.from({ length: N }, (_, i) => [
            acct({ tenantId, statusType: 'start', acctSessionId: `s${i}`, natMappings: [{ publicIp: '198.51.100.7', portStart: i * 64, portEnd: i * 64 + 63, internalIp: null }] }),
            acct({ tenantId, statusType: 'stop', acctSessionId: `s${i}`, eventAt: at(MINUTE + i * SECOND), sessionTime: 60 }),
          ]).flat(),
        );
        const ids = new Map((await a.sessions.list({})).map((s) => [s.acctSessionId, s.id]));
        const hold = (keys: string[]) => ({ tenantId, reference: 'PV', reason: 'requisition', createdBy: 'admin', sessionIds: keys.map((k) => ids.get(k)!) });
        await a.legal.createHold(hold(['s0', 's30', 's59']));
        const [ra, rb, late] = await Promise.all([
          purgeAll(a, at(DAY), 3),
          purgeAll(b, at(DAY), 3),
          b.legal.createHold(hold(['s10', 's40'])).then(
            () => null,
            (e: unknown) => e,
          ),
        ]);
        // A hold that came too late finds a session gone; one in time keeps both.
        if (late !== null) expect((late as AppError).code).toBe(E.SESSION_NOT_FOUND.code);
        // A purger may stop on a batch whose every row the other (or the hold) had locked: a last run sweeps up.
        const rest = await purgeAll(a, at(DAY), 3);
        const kept = ['s0', 's30', 's59', ...(late === null ? ['s10', 's40'] : [])].sort();
        expect((await b.sessions.list({})).map((s) => s.acctSessionId).sort()).toEqual(kept);
        const purged = total([...ra, ...rb, ...rest]);
        expect(purged).toEqual({ sessions: N - kept.length, accountingRecords: 2 * (N - kept.length), natMappings: N - kept.length, identityArchives: 0 });
        expect(await a.accounting.count()).toBe(2 * kept.length);
        expect(await a.legal.heldSessionCount()).toBe(kept.length);
      } finally {
        await close();
      }
    });

    it('two nodes recording a NAT block for the same session at once store it once', async () => {
      const { a, b, tenantId, close } = await twoNodes();
      try {
        await a.accounting.record([acct({ tenantId, statusType: 'start' })]);
        const nat = [{ publicIp: '198.51.100.7', portStart: 1024, portEnd: 2047, internalIp: null }];
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? a : b).accounting.record([acct({ tenantId, statusType: 'interim', eventAt: at((i + 1) * MINUTE), natMappings: nat })]),
          ),
        );
        const [s] = await a.sessions.list({});
        expect(await b.legal.natMappingsOf(tenantId, s!.id)).toEqual([expect.objectContaining({ portStart: 1024, sessionId: s!.id })]);
      } finally {
        await close();
      }
    });

    it('two nodes registering the same username at once: one wins, the other gets USERNAME_TAKEN', async () => {
      const { a, b, close } = await twoNodes();
      try {
        const results = await Promise.allSettled([a.identities.create(newIdentity('alice')), b.identities.create(newIdentity('ALICE', { email: null }))]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect((rejected?.reason as AppError).code).toBe(E.USERNAME_TAKEN.code);
      } finally {
        await close();
      }
    });
  });
});
