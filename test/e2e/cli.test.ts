/**
 * The built `wfc` CLI as an operator runs it: one process per command
 * against a temporary data dir. Happy paths read the --json output; error
 * paths check the exit code (1: refused, 2: usage) and that stderr is one
 * readable line. Commands run in parallel where they do not depend on each
 * other: each costs a Node start-up, and argon2 hashing on top for users.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../controller/adapters/sqlite/index.js';
import { databaseFile } from '../../controller/cli/context.js';
import type { AccountingRecord } from '../../controller/domain/entities.js';
import type { Mac } from '../../controller/domain/mac.js';
import { WFC_JS, childEnv, ensureBuilt, runNode, type Exited } from '../helpers/process.js';

interface Json {
  [key: string]: unknown;
}

let root: string;
/** The data dir most tests share: a federation, two municipalities, a user and an AP made in beforeAll. */
let dir: string;
const tenantIds: Record<string, string> = {};
let federationSet: Json;

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'wfc-cli-e2e-'));
  dir = join(root, 'main');
  // The first command creates the database; the rest may then run side by side.
  federationSet = await ok<Json>(['federation', 'set', '--name', 'Wi-Fi public test', '--realm', 'wifi.test.example', '--json']);
  const [valence, crest] = await Promise.all([
    ok<Json>(['tenant', 'add', 'valence', '--name', 'Ville de Valence', '--insee', '26362', '--json']),
    ok<Json>(['tenant', 'add', 'crest', '--name', 'Ville de Crest', '--insee', '26108', '--display-name', 'Crest', '--color', '#2d6a4f', '--json']),
    ok(['user', 'add', 'taken', '--password-stdin', '--json'], { input: 'a-long-enough-password\n' }),
  ]);
  tenantIds.valence = valence.id as string;
  tenantIds.crest = crest.id as string;
  await ok(['ap', 'add', 'valence', '--mac', '00:11:22:33:44:fe', '--name', 'Taken', '--json']);
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Runs `wfc --data-dir <dir> ...args` (args may place --data-dir themselves). No output of any command may carry a password hash. */
async function wfc(args: readonly string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Exited> {
  const argv = args.includes('--data-dir') ? args : ['--data-dir', dir, ...args];
  const r = await runNode(WFC_JS, argv, { env: childEnv(opts.env), input: opts.input });
  expect(r.stdout + r.stderr, `wfc ${args.join(' ')}`).not.toMatch(/\$argon2|passwordHash|password_hash/i);
  return r;
}

/** A command that must succeed; its --json output parsed, else its text. */
async function ok<T = string>(args: readonly string[], opts: Parameters<typeof wfc>[1] = {}): Promise<T> {
  const r = await wfc(args, opts);
  expect(r.code, `wfc ${args.join(' ')}\n${r.stderr}`).toBe(0);
  expect(r.stderr).toBe('');
  return (args.includes('--json') ? JSON.parse(r.stdout) : r.stdout) as T;
}

/** A command that must fail with `code` and one readable stderr line matching `message`; it returns that line. */
async function fails(args: readonly string[], code: number, message: RegExp, opts: Parameters<typeof wfc>[1] = {}): Promise<string> {
  const r = await wfc(args, opts);
  expect(r.code, `wfc ${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^wfc: \S/);
  expect(lines[0]).toMatch(message);
  expect(lines[0]).not.toMatch(/\bat .*\.js:\d+|Error:|\[object /);
  return lines[0]!;
}

// Generous timeouts: each command is a Node start-up, and CI machines are shared.
describe.concurrent('wfc: every command, --json', { timeout: 60_000 }, () => {
  it('federation set, then show', async () => {
    expect(federationSet).toEqual({ name: 'Wi-Fi public test', realm: 'wifi.test.example' });
    expect(await ok<Json>(['federation', 'show', '--json'])).toEqual(federationSet);
  });

  it('tenant add, list and show', async () => {
    const [list, show] = await Promise.all([ok<Json[]>(['tenant', 'list', '--json']), ok<Json>(['tenant', 'show', 'crest', '--json'])]);
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: tenantIds.valence, slug: 'valence', name: 'Ville de Valence', inseeCode: '26362' }),
        expect.objectContaining({ id: tenantIds.crest, slug: 'crest', inseeCode: '26108' }),
      ]),
    );
    expect(show).toMatchObject({ slug: 'crest', branding: { displayName: 'Crest', primaryColor: '#2d6a4f' }, radiusClients: expect.any(Array), accessPoints: expect.any(Number) });
    expect(show.policy).toEqual(expect.objectContaining({ simultaneousUse: expect.any(Number) }));
  });

  it('client add prints a generated secret once; list and tenant show never show it; networks are normalised', async () => {
    const [generated, text, given] = await Promise.all([
      ok<Json>(['client', 'add', 'valence', '--network', '198.51.100.77/28', '--name', 'hotel de ville', '--json']),
      ok(['client', 'add', 'valence', '--network', '203.0.113.0/29']),
      ok<Json>(['client', 'add', 'crest', '--network', '2001:DB8:0:0::5/64', '--secret', 'sixteen-chars-or-more', '--allow-missing-message-authenticator', '--coa-port', '1700', '--json']),
    ]);
    expect(generated).toMatchObject({ tenantId: tenantIds.valence, name: 'hotel de ville', network: '198.51.100.64/28', requireMessageAuthenticator: true, coaPort: 3799 });
    expect(generated.secret).toMatch(/^\S{16,}$/);
    const shown = /^shared secret \(shown once.*\): (\S+)$/m.exec(text);
    expect(shown, text).not.toBeNull();
    const textSecret = shown![1]!;
    expect(textSecret.length).toBeGreaterThanOrEqual(16);
    expect(text.split(textSecret)).toHaveLength(2); // printed exactly once
    expect(text).toContain('added RADIUS client 203.0.113.0/29 to valence');
    expect(given).toMatchObject({ network: '2001:db8::/64', secret: 'sixteen-chars-or-more', requireMessageAuthenticator: false, coaPort: 1700 });

    const [list, show] = await Promise.all([ok<Json[]>(['client', 'list', 'valence', '--json']), ok<Json>(['tenant', 'show', 'valence', '--json'])]);
    expect(list.map((c) => c.network)).toEqual(expect.arrayContaining(['198.51.100.64/28', '203.0.113.0/29']));
    for (const output of [JSON.stringify(list), JSON.stringify(show)]) {
      expect(output).not.toContain(generated.secret as string);
      expect(output).not.toContain(textSecret);
      expect(output).not.toMatch(/"secret"/);
    }
    expect(show.radiusClients).toEqual(expect.arrayContaining([expect.objectContaining({ network: '198.51.100.64/28' })]));
  });

  it('user add (--password-stdin or generated), list, disable, enable, passwd', async () => {
    const [alice, bob] = await Promise.all([
      ok<Json>(['user', 'add', 'Alice', '--email', 'Alice@Example.org', '--locale', 'en', '--password-stdin', '--json'], { input: 'correct horse battery staple\n' }),
      ok<Json>(['user', 'add', 'bob', '--unverified', '--json']),
    ]);
    expect(alice).toMatchObject({ username: 'alice', email: 'alice@example.org', locale: 'en', verified: true, disabled: false });
    expect(alice).not.toHaveProperty('password'); // chosen by the operator: not echoed
    expect(bob).toMatchObject({ username: 'bob', verified: false });
    expect(bob.password).toMatch(/^\S{10,}$/); // generated: shown this once

    const [list, disabled, passwd] = await Promise.all([
      ok<Json[]>(['user', 'list', '--json']),
      ok<Json>(['user', 'disable', 'alice@wifi.test.example', '--json']),
      ok<Json>(['user', 'passwd', 'alice', '--password-stdin', '--json'], { input: 'another long passphrase\n' }),
    ]);
    expect(list).toEqual(expect.arrayContaining([expect.objectContaining({ username: 'alice' }), expect.objectContaining({ username: 'bob' })]));
    expect(JSON.stringify(list)).not.toContain(bob.password as string);
    expect(disabled).toMatchObject({ username: 'alice', disabled: true });
    expect(passwd).toEqual({ username: 'alice', passwordChangedAt: expect.any(String) });
    expect(Date.parse(passwd.passwordChangedAt as string)).toBeGreaterThan(Date.parse(alice.passwordChangedAt as string));

    const enabled = await ok<Json>(['user', 'enable', 'alice@example.org', '--json']);
    expect(enabled).toMatchObject({ username: 'alice', disabled: false });
  });

  it('ap add, list', async () => {
    const added = await ok<Json>(['ap', 'add', 'crest', '--mac', '00-11-22-33-45-0A', '--name', 'Tour de Crest', '--site', 'Tour', '--lat', '44.7286', '--lon', '5.0222', '--outdoor', '--nas-id', 'crest-tour', '--json']);
    expect(added).toMatchObject({ tenantId: tenantIds.crest, mac: '00:11:22:33:45:0a', name: 'Tour de Crest', latitude: 44.7286, longitude: 5.0222, placement: 'outdoor', nasIdentifier: 'crest-tour' });
    const list = await ok<Json[]>(['ap', 'list', 'crest', '--json']);
    expect(list).toEqual([expect.objectContaining({ id: added.id, mac: '00:11:22:33:45:0a' })]);
  });

  it('sessions list [--active] [--tenant]', async () => {
    // Accounting normally arrives over RADIUS; here it is written to the store the CLI reads.
    const stores = openSqliteStores({ file: databaseFile(dir) });
    const at = new Date('2026-01-05T10:00:00Z');
    const record = (acctSessionId: string, statusType: AccountingRecord['statusType'], tenantId: string): AccountingRecord => ({
      tenantId,
      statusType,
      acctSessionId,
      nasIp: '192.0.2.1',
      nasAddress: '192.0.2.1',
      nasIdentifier: 'gw-1',
      username: 'walker',
      identityId: null,
      callingStationId: '02:00:00:00:00:01' as Mac,
      calledStationId: null,
      apId: null,
      framedIp: null,
      sessionTime: statusType === 'stop' ? 60 : 0,
      inputOctets: 10,
      outputOctets: 20,
      terminateCause: statusType === 'stop' ? 'User-Request' : null,
      eventAt: statusType === 'stop' ? new Date(at.getTime() + 60_000) : at,
      receivedAt: at,
      natMappings: [],
    });
    try {
      await stores.accounting.record([record('s-open', 'start', tenantIds.valence!), record('s-done', 'start', tenantIds.crest!)]);
      await stores.accounting.record([record('s-done', 'stop', tenantIds.crest!)]);
    } finally {
      await stores.close();
    }
    const [all, activeInValence, text] = await Promise.all([
      ok<Json[]>(['sessions', 'list', '--json']),
      ok<Json[]>(['sessions', 'list', '--active', '--tenant', 'valence', '--limit', '5', '--json']),
      ok(['sessions', 'list']),
    ]);
    expect(all.map((s) => [s.acctSessionId, s.status]).sort()).toEqual([
      ['s-done', 'stopped'],
      ['s-open', 'active'],
    ]);
    expect(activeInValence).toEqual([expect.objectContaining({ acctSessionId: 's-open', tenantId: tenantIds.valence, username: 'walker', status: 'active' })]);
    expect(all.find((x) => x.acctSessionId === 's-done')).toMatchObject({ tenantId: tenantIds.crest, stoppedAt: expect.any(String), sessionTime: 60 });
    expect(text).toMatch(/^valence\s+walker\s+active/m);
    expect(text).not.toContain('02:00:00:00:00:01'); // people read a keyed digest of the MAC
  });

  it('token create (shown once), list, revoke', async () => {
    const [municipal, admin] = await Promise.all([
      ok<Json>(['token', 'create', '--tenant', 'valence', '--role', 'municipal-ro', '--name', 'city IT', '--json']),
      ok<Json>(['token', 'create', '--admin', '--name', 'operators', '--json']),
    ]);
    expect(municipal).toMatchObject({ id: expect.any(String), tenant: 'valence', role: 'municipal-ro', name: 'city IT', token: expect.stringMatching(/^wfc_\S{20,}$/) });
    expect(admin).toMatchObject({ tenant: null, role: 'admin', name: 'operators', token: expect.stringMatching(/^wfc_/) });

    const all = await ok<Json[]>(['token', 'list', '--json']);
    expect(all).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: municipal.id, tenant: 'valence', revokedAt: null }),
        expect.objectContaining({ id: admin.id, tenant: null, role: 'admin' }),
      ]),
    );
    for (const t of all) {
      expect(t).not.toHaveProperty('token');
      expect(t).not.toHaveProperty('tokenHash');
    }
    expect(JSON.stringify(all)).not.toContain(municipal.token as string);

    expect(await ok<Json>(['token', 'revoke', municipal.id as string, '--json'])).toEqual({ id: municipal.id, revoked: true });
    const valence = await ok<Json[]>(['token', 'list', '--tenant', 'valence', '--json']);
    expect(valence).toEqual([expect.objectContaining({ id: municipal.id, tenant: 'valence', revokedAt: expect.any(String) })]);
  });
});

describe.concurrent('wfc: refusals are an exit code and one readable line', { timeout: 60_000 }, () => {
  it.each<[string, string[], number, RegExp, { input?: string; env?: Record<string, string> }?]>([
    ['unknown tenant', ['tenant', 'show', 'nowhere'], 1, /unknown municipality.*nowhere/i],
    ['duplicate tenant', ['tenant', 'add', 'valence', '--name', 'Again', '--insee', '26362'], 1, /valence.*already exists/i],
    ['duplicate username', ['user', 'add', 'TAKEN', '--password-stdin'], 1, /username taken is taken/i, { input: 'a-long-enough-password\n' }],
    ['weak password', ['user', 'add', 'weakling', '--password-stdin'], 1, /password: at least 10 characters/, { input: 'short\n' }],
    ['weak new password', ['user', 'passwd', 'taken', '--password-stdin'], 1, /at least 10 characters/, { input: 'short\n' }],
    ['invalid MAC', ['ap', 'add', 'valence', '--mac', '00:11:22:33:44', '--name', 'X'], 1, /mac: not a MAC address: "00:11:22:33:44"/],
    ['duplicate AP MAC, other notation', ['ap', 'add', 'crest', '--mac', '0011.2233.44FE', '--name', 'X'], 1, /00:11:22:33:44:fe.*already registered/],
    ['invalid CIDR', ['client', 'add', 'valence', '--network', '10.0.0.0/33'], 1, /network: not an IPv4\/IPv6 address or CIDR network: "10\.0\.0\.0\/33"/],
    ['short secret', ['client', 'add', 'valence', '--network', '192.0.2.0/24', '--secret', 'too-short'], 1, /secret: at least 16 characters/],
    ['missing required option (usage)', ['tenant', 'add', 'lyon', '--insee', '69123'], 2, /required option '--name <name>' not specified.*wfc tenant add --help/],
    ['bad option value (usage)', ['client', 'add', 'valence', '--network', '192.0.2.0/24', '--coa-port', 'many'], 2, /'--coa-port <port>' argument 'many' is invalid/],
    ['invalid setting in the environment', ['tenant', 'list'], 1, /invalid configuration: WFC_LOG_LEVEL: .*"loud"/, { env: { WFC_LOG_LEVEL: 'loud' } }],
  ])('%s', async (_label, args, code, message, opts) => {
    await fails(args, code, message, opts);
  });
});

describe.concurrent('wfc demo', { timeout: 60_000 }, () => {
  it('prints the documented JSON shape and is idempotent', async () => {
    const demoDir = join(root, 'demo');
    const first = await ok<Json>(['demo', '--data-dir', demoDir, '--json']);
    expect(first).toMatchObject({
      radius: { secret: expect.stringMatching(/^\S{16,}$/), authPort: 1812, acctPort: 1813 },
      tenants: expect.arrayContaining([expect.objectContaining({ slug: expect.any(String), apiToken: expect.stringMatching(/^wfc_/) })]),
      accessPoints: expect.arrayContaining([expect.objectContaining({ tenant: expect.any(String), mac: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/) })]),
      users: expect.arrayContaining([expect.objectContaining({ username: expect.any(String), password: expect.stringMatching(/^\S{10,}$/) })]),
    });
    const slugs = (first.tenants as Json[]).map((t) => t.slug as string);
    const usernames = (first.users as Json[]).map((u) => u.username as string);
    expect(slugs.length).toBeGreaterThanOrEqual(2);
    expect(usernames.length).toBeGreaterThanOrEqual(1);
    for (const ap of first.accessPoints as Json[]) expect(slugs).toContain(ap.tenant);

    const second = await ok<Json>(['demo', '--data-dir', demoDir, '--json']);
    expect(second).toEqual(first); // same secret, passwords and tokens

    const [tenants, users, tokens] = await Promise.all([
      ok<Json[]>(['--data-dir', demoDir, 'tenant', 'list', '--json']),
      ok<Json[]>(['--data-dir', demoDir, 'user', 'list', '--json']),
      ok<Json[]>(['--data-dir', demoDir, 'token', 'list', '--json']),
    ]);
    expect(tenants.map((t) => t.slug).sort()).toEqual([...slugs].sort());
    expect(users.map((u) => u.username).sort()).toEqual([...usernames].sort());
    expect(tokens).toHaveLength(slugs.length);
  });
});
