/**
 * The SQLite adapter: every contract suite against a file and against
 * :memory:, then what only SQLite has (pragmas, migrations, a crash).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, openDatabase, openSqliteStores, schemaVersion } from '../../controller/adapters/sqlite/index.js';
import { AppError, E } from '../../controller/errors.js';
import type { Session } from '../../controller/domain/entities.js';
import type { Mac } from '../../controller/domain/mac.js';
import { acct, at, ManualClock, MINUTE, newTenant, T0 } from './harness.js';
import type { MakeStores } from './harness.js';
import { expectPurged, purgeAll, seedPurge, total } from './legal-log-store.contract.js';
import { describeStoresContract } from './stores.contract.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wfc-sqlite-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

const onFile: MakeStores = async ({ clock }) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfc-contract-'));
  const stores = openSqliteStores({ file: join(dir, 'wfc.sqlite') }, { clock });
  return {
    stores,
    async cleanup() {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const inMemory: MakeStores = async ({ clock }) => {
  const stores = openSqliteStores({ memory: true }, { clock });
  return { stores, cleanup: () => stores.close() };
};

describeStoresContract('SQLite file', onFile);
describeStoresContract('SQLite :memory:', inMemory);

describe('SQLite database', () => {
  it('opens a file in WAL mode, fsyncing every commit, with foreign keys and a busy timeout', () => {
    const db = openDatabase({ file: join(tempDir(), 'wfc.sqlite') });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      db.close();
    }
  });

  it('uses the injected id generator', async () => {
    let n = 0;
    const stores = openSqliteStores({ memory: true }, { newId: () => `id-${++n}` });
    const t = await stores.tenants.create(newTenant('rennes'));
    await stores.accounting.record([acct({ tenantId: t.id, statusType: 'start' })]);
    expect(t.id).toBe('id-1');
    expect((await stores.sessions.list({}))[0]?.id).toBe('id-2');
    await stores.close();
  });

  it('keeps data across close and reopen', async () => {
    const file = join(tempDir(), 'wfc.sqlite');
    const first = openSqliteStores({ file });
    const t = await first.tenants.create(newTenant('rennes'));
    await first.close();
    const second = openSqliteStores({ file });
    expect(await second.tenants.get(t.id)).toEqual(t);
    await second.close();
  });
});

describe('SQLite legal log purge', () => {
  it('resumes after a crash between batches: the same end state, held sessions kept', async () => {
    const file = join(tempDir(), 'purge.sqlite');
    const clock = new ManualClock();
    const crashed = openSqliteStores({ file }, { clock });
    const seed = await seedPurge(crashed, clock);
    const first = await crashed.legal.purgeBatch(seed.cutoff, 2);
    expect(first.sessions).toBe(2);
    // The process dies: its connection is never closed (nor the WAL checkpointed); a new one opens the file.
    const restarted = openSqliteStores({ file }, { clock });
    try {
      const rest = await purgeAll(restarted, seed.cutoff, 2);
      expect(total([first, ...rest])).toEqual(seed.expected);
      await expectPurged(restarted, seed);
    } finally {
      await restarted.close();
      await crashed.close();
    }
  });
});

describe('SQLite migrations', () => {
  let db: Database.Database | undefined;
  afterEach(() => {
    db?.close();
    db = undefined;
  });

  it('brings a new database to the latest version, and does nothing the second time', () => {
    db = new Database(':memory:');
    expect(migrate(db)).toEqual({ from: 0, to: MIGRATIONS.length });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(migrate(db)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length });
  });

  it('numbers migrations 1..n in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('refuses to open a database written by a newer release: WFC_NOT_READY', () => {
    const file = join(tempDir(), 'future.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    let err: unknown;
    try {
      openSqliteStores({ file });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(E.NOT_READY.code);
    expect((err as AppError).message).toContain(`version ${MIGRATIONS.length + 1}`);
  });

  it('applies pending migrations in one transaction: a failing one leaves the database as it was', () => {
    db = new Database(':memory:');
    const migrations = [
      { version: 1, name: 'one', sql: 'CREATE TABLE one (x INTEGER) STRICT;' },
      { version: 2, name: 'two', sql: 'CREATE TABLE two (x INTEGER) STRICT;' },
      { version: 3, name: 'broken', sql: 'CREATE TABLE three (x INTEGER) STRICT; INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => migrate(db!, migrations)).toThrow(/nowhere/);
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([]);
    expect(migrate(db, migrations.slice(0, 2))).toEqual({ from: 0, to: 2 });
    expect(migrate(db, migrations.slice(0, 1).concat(migrations.slice(1, 2)))).toEqual({ from: 2, to: 2 });
  });

  it('migrates a version 4 database with sessions (version 5): rows and indexes kept, a stopped key may come back, an active one may not', async () => {
    const file = join(tempDir(), 'v4.sqlite');
    const v4 = new Database(file);
    expect(migrate(v4, MIGRATIONS.slice(0, 4))).toEqual({ from: 0, to: 4 });
    const t0 = T0.getTime();
    v4.prepare(
      `INSERT INTO tenants (id, slug, name, insee_code, branding, policy, wifi4eu, created_at, updated_at, portal)
       VALUES ('t-1', 'rennes', 'Rennes', '35238', '{}', '{}', NULL, ?, ?, NULL)`,
    ).run(t0, t0);
    const insertSession = v4.prepare(
      `INSERT INTO sessions (id, tenant_id, nas_ip, acct_session_id, nas_identifier, identity_id, username, calling_station_id, called_station_id,
         ap_id, framed_ip, started_at, updated_at, stopped_at, session_time, input_octets, output_octets, terminate_cause, status, nas_address)
       VALUES (@id, 't-1', '192.0.2.10', @key, 'gw-1', 'id-alice', 'alice', '02:00:00:00:00:01', 'AA-BB-CC-00-00-01:Wifi',
         'ap-1', '10.0.0.2', @started, @updated, @stopped, 600, 5000, 9000, @cause, @status, '198.51.100.20')`,
    );
    insertSession.run({ id: 's-old', key: 'sess-1', started: t0, updated: t0 + 10 * MINUTE, stopped: t0 + 10 * MINUTE, cause: 'User-Request', status: 'stopped' });
    insertSession.run({ id: 's-live', key: 'sess-2', started: t0 + MINUTE, updated: t0 + 11 * MINUTE, stopped: null, cause: null, status: 'active' });
    const indexes = (d: Database.Database) =>
      (d.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions' AND sql IS NOT NULL ORDER BY name").pluck().all() as string[]);
    const before = indexes(v4);
    v4.close();

    const clock = new ManualClock();
    const stores = openSqliteStores({ file }, { clock });
    try {
      const session = (id: string, acctSessionId: string, over: Partial<Session>): Session => ({
        id,
        tenantId: 't-1',
        acctSessionId,
        nasIp: '192.0.2.10',
        nasAddress: '198.51.100.20',
        nasIdentifier: 'gw-1',
        identityId: 'id-alice',
        username: 'alice',
        callingStationId: '02:00:00:00:00:01' as Mac,
        calledStationId: 'AA-BB-CC-00-00-01:Wifi',
        apId: 'ap-1',
        framedIp: '10.0.0.2',
        startedAt: T0,
        updatedAt: T0,
        stoppedAt: null,
        sessionTime: 600,
        inputOctets: 5000,
        outputOctets: 9000,
        terminateCause: null,
        status: 'active',
        ...over,
      });
      const old = session('s-old', 'sess-1', { updatedAt: at(10 * MINUTE), stoppedAt: at(10 * MINUTE), terminateCause: 'User-Request', status: 'stopped' });
      const live = session('s-live', 'sess-2', { startedAt: at(MINUTE), updatedAt: at(11 * MINUTE) });
      expect(await stores.sessions.list({ tenantId: 't-1' })).toEqual([live, old]);

      // The NAS rebooted and reuses sess-1: a new session; sess-2 is still active, so its Start moves it.
      await stores.accounting.record([
        acct({ tenantId: 't-1', statusType: 'start', acctSessionId: 'sess-1', eventAt: at(12 * MINUTE) }),
        acct({ tenantId: 't-1', statusType: 'start', acctSessionId: 'sess-2', eventAt: at(12 * MINUTE) }),
      ]);
      const all = await stores.sessions.list({ tenantId: 't-1' });
      expect(all).toHaveLength(3);
      expect(all[0]).toMatchObject({ acctSessionId: 'sess-1', status: 'active', startedAt: at(12 * MINUTE) });
      expect(all.slice(1)).toEqual([{ ...live, updatedAt: at(12 * MINUTE) }, old]);
    } finally {
      await stores.close();
    }

    db = new Database(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(indexes(db)).toEqual([...before, 'sessions_active_key', 'sessions_by_key'].sort());
    // The key is unique among active sessions only; the id stays unique.
    expect(db.prepare('PRAGMA index_list(sessions)').all()).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'sessions_active_key', unique: 1, partial: 1 })]),
    );
    expect((db.prepare('PRAGMA index_list(sessions)').all() as Array<{ unique: number; partial: number }>).filter((i) => i.unique && !i.partial)).toHaveLength(1);
    expect(() =>
      db!.prepare(
        `INSERT INTO sessions (id, tenant_id, nas_ip, acct_session_id, username, started_at, updated_at, session_time, input_octets, output_octets, status)
         VALUES ('dup', 't-1', '192.0.2.10', 'sess-2', 'alice', 0, 0, 0, 0, 0, 'active')`,
      ).run(),
    ).toThrow(/UNIQUE constraint failed: sessions.tenant_id, sessions.nas_ip, sessions.acct_session_id/);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // Still STRICT, with its CHECKs and nas_address last.
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'sessions'").pluck().get()).toMatch(/nas_address TEXT,\s+CHECK \(\(status = 'active'\) = \(stopped_at IS NULL\)\)\s+\) STRICT$/);
  });

  it('refuses a migration list with gaps', () => {
    db = new Database(':memory:');
    expect(() => migrate(db!, [{ version: 2, name: 'gap', sql: '' }])).toThrow(/expected 1/);
  });
});

/**
 * Builds the adapter and what it imports (domain, ports, errors) to plain
 * ESM in a temporary directory, so a child `node` can load the real code
 * without a TypeScript loader or a shared dist/ being rebuilt under other
 * engineers' feet.
 */
function buildAdapter(): string {
  const out = tempDir();
  // controller/adapters: the rules and row mappers both adapters share (its .ts files, not its folders).
  const sources = ['controller/adapters/sqlite', 'controller/adapters', 'controller/domain', 'controller/ports', 'controller/errors.ts'];
  const files = sources.flatMap((s) => (s.endsWith('.ts') ? [s] : readdirSync(join(ROOT, s)).filter((f) => f.endsWith('.ts')).map((f) => `${s}/${f}`)));
  for (const f of files) {
    const { outputText } = ts.transpileModule(readFileSync(join(ROOT, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: f,
    });
    const target = join(out, f.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  return join(out, 'controller/adapters/sqlite/index.js');
}

describe('SQLite crash durability', () => {
  let adapter = '';
  beforeAll(() => {
    adapter = buildAdapter();
  });

  it('keeps every acknowledged accounting batch, whole, after a SIGKILL mid-stream', async () => {
    const file = join(tempDir(), 'crash.sqlite');
    const BATCH = 10;
    const child = spawn(process.execPath, [join(ROOT, 'test/contract/fixtures/crash-writer.mjs'), adapter, file, String(BATCH)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((res) => child.on('exit', (code, signal) => res(signal ?? code)));

    let lastAcked = 0;
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) {
      const m = /^acked (\d+)$/.exec(line);
      if (m) lastAcked = Number(m[1]);
      if (lastAcked >= 300) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited, `child failed: ${stderr}`).toBe('SIGKILL');
    expect(lastAcked).toBeGreaterThanOrEqual(300);

    const stores = openSqliteStores({ file });
    try {
      const count = await stores.accounting.count();
      expect(count).toBeGreaterThanOrEqual(lastAcked);
      expect(count % BATCH).toBe(0);
      const tenant = await stores.tenants.getBySlug('crash');
      expect(await stores.sessions.list({ tenantId: tenant!.id })).toHaveLength(count);
    } finally {
      await stores.close();
    }
  }, 10_000);
});
