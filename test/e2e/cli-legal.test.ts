/**
 * The built `wfc` on live sessions and the legal connection log, as an
 * operator runs it: Disconnect and CoA sent to a NAS listening on 127.0.0.1
 * (ACK, NAK, and a port that never answers), `user disable` ending an
 * account's sessions, audited exports written to a file, legal holds, NAT
 * log imports and the one-year purge. Failures exit 1 with one readable
 * stderr line; usage errors exit 2.
 */
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../controller/adapters/sqlite/index.js';
import { databaseFile } from '../../controller/cli/context.js';
import type { AccountingRecord } from '../../controller/domain/entities.js';
import { getInteger, getString } from '../../radius-server/codec/attributes.js';
import { Code } from '../../radius-server/codec/codes.js';
import { WFC_JS, childEnv, ensureBuilt, runNode, type Exited } from '../helpers/process.js';
import { startFakeNas, type FakeNas } from './fake-nas.js';
import { acct } from '../contract/harness.js';

type Json = Record<string, unknown>;

const SECRET = 'valence-coa-secret-000001';
const ACTOR = `cli:${userInfo().username}`;
/** Quick timeouts: a silent NAS costs 100 + 200 ms. */
const COA_ENV = { WFC_COA_TIMEOUT_MS: '100', WFC_COA_RETRIES: '1' };

let root: string;
let dir: string;
let nas: FakeNas;
let silent: Socket;
let silentPort: number;
const sid: Record<string, string> = {};

async function wfc(args: readonly string[], env: Record<string, string> = {}): Promise<Exited> {
  return runNode(WFC_JS, ['--data-dir', dir, ...args], { env: childEnv({ ...COA_ENV, ...env }) });
}

/** Must succeed with nothing on stderr; --json output parsed. */
async function ok<T = string>(args: readonly string[]): Promise<T> {
  const r = await wfc(args);
  expect(r.code, `wfc ${args.join(' ')}\n${r.stderr}`).toBe(0);
  expect(r.stderr).toBe('');
  return (args.includes('--json') ? JSON.parse(r.stdout) : r.stdout) as T;
}

/** Must exit with `code` and exactly one readable stderr line matching `message`. */
async function fails(args: readonly string[], code: number, message: RegExp): Promise<Exited> {
  const r = await wfc(args);
  expect(r.code, `wfc ${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^wfc: \S/);
  expect(lines[0]).toMatch(message);
  expect(lines[0]).not.toMatch(/\bat .*\.js:\d+|Error:|\[object /);
  return r;
}

function record(tenantId: string, identityId: string, username: string, acctSessionId: string, over: Partial<AccountingRecord> = {}): AccountingRecord {
  const eventAt = new Date('2026-03-01T14:00:00Z');
  return acct({ tenantId, statusType: 'start', acctSessionId, nasAddress: '127.0.0.1', nasIdentifier: 'gw-valence', username, identityId, calledStationId: null, framedIp: '10.64.0.23', eventAt, ...over });
}

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'wfc-cli-legal-'));
  dir = join(root, 'data');
  nas = await startFakeNas(SECRET);
  // A NAS that receives and never answers.
  silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  silentPort = silent.address().port;

  await ok(['federation', 'set', '--name', 'Wi-Fi public test', '--realm', 'wifi.test.example']);
  const [valence, crest] = await Promise.all([
    ok<Json>(['tenant', 'add', 'valence', '--name', 'Ville de Valence', '--insee', '26362', '--json']),
    ok<Json>(['tenant', 'add', 'crest', '--name', 'Ville de Crest', '--insee', '26108', '--json']),
  ]);
  await Promise.all([
    ok(['client', 'add', 'valence', '--network', '127.0.0.1/32', '--secret', SECRET, '--coa-port', String(nas.port)]),
    ok(['client', 'add', 'crest', '--network', '127.0.0.0/8', '--secret', 'crest-coa-secret-0000002', '--coa-port', String(silentPort)]),
  ]);

  const stores = openSqliteStores({ file: databaseFile(dir) });
  try {
    const mk = (username: string, email: string | null) => stores.identities.create({ username, email, passwordHash: 'not-a-hash', locale: 'fr', verified: true });
    const alice = await mk('alice', 'alice@example.org');
    const carol = await mk('carol', null);
    const v = valence.id as string;
    const c = crest.id as string;
    const old = (h: number) => new Date(Date.UTC(2024, 0, 1, h));
    await stores.accounting.record([
      record(v, alice.id, 'alice', 'acct-ack'),
      record(v, alice.id, 'alice', 'acct-nak', { eventAt: new Date('2026-03-01T14:01:00Z') }),
      record(c, alice.id, 'alice', 'acct-silent', { eventAt: new Date('2026-03-01T14:02:00Z'), nasIdentifier: 'gw-crest' }),
      record(v, carol.id, 'carol', 'acct-carol-v', { framedIp: '10.64.0.77' }),
      record(c, carol.id, 'carol', 'acct-carol-c', { framedIp: '10.64.0.78' }),
      // Ended two years ago: past the retention; one of them held.
      record(v, alice.id, 'alice', 'acct-old', { eventAt: old(8) }),
      record(v, alice.id, 'alice', 'acct-old-held', { eventAt: old(9) }),
    ]);
    await stores.accounting.record([
      record(v, alice.id, 'alice', 'acct-old', { statusType: 'stop', eventAt: old(10), sessionTime: 7200 }),
      record(v, alice.id, 'alice', 'acct-old-held', { statusType: 'stop', eventAt: old(11), sessionTime: 7200 }),
    ]);
    for (const s of await stores.sessions.list({})) sid[s.acctSessionId] = s.id;
  } finally {
    await stores.close();
  }
}, 120_000);

afterAll(async () => {
  await nas?.close();
  await new Promise<void>((r) => (silent ? silent.close(() => r()) : r()));
  if (root) rmSync(root, { recursive: true, force: true });
});

const audit = async (action: string) => {
  const stores = openSqliteStores({ file: databaseFile(dir) });
  try {
    return await stores.audit.list({ action, limit: 100 });
  } finally {
    await stores.close();
  }
};

describe('wfc sessions', { timeout: 60_000 }, () => {
  it('list shows the ids to act on', async () => {
    const text = await ok(['sessions', 'list', '--active', '--tenant', 'valence']);
    expect(text.split('\n')[0]).toMatch(/^TENANT\s+USER\s+STATUS.*\bID$/);
    expect(text).toContain(sid['acct-ack']);
    expect(text).not.toContain(sid['acct-silent']);
  });

  it('disconnect: the NAS ACKs, exit 0, audited under the OS user', async () => {
    nas.decide = () => ({ reply: 'ack' });
    const before = nas.received.length;
    const out = await ok(['sessions', 'disconnect', sid['acct-ack']!, '--reason', 'abuse reported']);
    expect(out).toMatch(new RegExp(`^session ${sid['acct-ack']} \\(alice at valence\\): Disconnect-ACK after 1 attempt \\(\\d+ ms\\)\\n$`));
    const [req] = nas.received.slice(before);
    expect(req!.code).toBe(Code.DisconnectRequest);
    expect(getString(req!, 'Acct-Session-Id')).toBe('acct-ack');
    const [event] = await audit('session.disconnect');
    expect(event).toMatchObject({ actor: ACTOR, target: `session:${sid['acct-ack']}`, after: expect.objectContaining({ outcome: 'ack', reason: 'abuse reported' }) });
  });

  it('disconnect --json prints the session and the result', async () => {
    const r = await ok<{ session: Json; result: Json }>(['sessions', 'disconnect', sid['acct-ack']!, '--tenant', 'valence', '--json']);
    expect(r.session).toMatchObject({ id: sid['acct-ack'], acctSessionId: 'acct-ack' });
    expect(r.result).toMatchObject({ kind: 'disconnect', outcome: 'ack', attempts: 1, errorCause: null });
  });

  it("disconnect: the NAS's NAK exits 1 with its Error-Cause", async () => {
    nas.decide = (_p, id) => (id === 'acct-nak' ? { reply: 'nak', errorCause: 503 } : { reply: 'ack' });
    const r = await fails(['sessions', 'disconnect', sid['acct-nak']!], 1, /refused the Disconnect-Request: Error-Cause 503 Session-Context-Not-Found/);
    expect(r.stdout).toBe('');
    nas.decide = () => ({ reply: 'ack' });
  });

  it('disconnect: a NAS that never answers exits 1 after the configured retries, naming where it went', async () => {
    const r = await fails(['sessions', 'disconnect', sid['acct-silent']!], 1, new RegExp(`NAS 127\\.0\\.0\\.1 port ${silentPort}: no answer to the Disconnect-Request after 2 attempts`));
    expect(r.stdout).toBe('');
    const [event] = await audit('session.disconnect');
    expect(event).toMatchObject({ target: `session:${sid['acct-silent']}`, after: expect.objectContaining({ outcome: 'timeout', attempts: 2 }) });
  });

  it('coa sends the change; without one it is a usage error (exit 2)', async () => {
    const before = nas.received.length;
    const out = await ok(['sessions', 'coa', sid['acct-nak']!, '--session-timeout', '600', '--download-bps', '2000000']);
    expect(out).toContain('CoA-ACK after 1 attempt');
    const [req] = nas.received.slice(before);
    expect(req!.code).toBe(Code.CoaRequest);
    expect(getInteger(req!, 'Session-Timeout')).toBe(600);
    expect(getInteger(req!, 'WISPr-Bandwidth-Max-Down')).toBe(2_000_000);
    await fails(['sessions', 'coa', sid['acct-nak']!], 2, /at least one of --session-timeout/);
    await fails(['sessions', 'coa', sid['acct-nak']!, '--upload-bps', '0'], 2, /--upload-bps/);
    expect(nas.received.length).toBe(before + 1);
  });

  it("refuses a session of another municipality than --tenant, and a stopped one", async () => {
    await fails(['sessions', 'disconnect', sid['acct-ack']!, '--tenant', 'crest'], 1, /Unknown session/);
    await fails(['sessions', 'disconnect', sid['acct-old']!], 1, /has ended/);
  });

  it("user disable disconnects the account's live sessions in every municipality", async () => {
    const before = nas.received.length;
    const r = await ok<Json & { sessions: Json[] }>(['user', 'disable', 'carol', '--json']);
    expect(r).toMatchObject({ username: 'carol', disabled: true });
    expect(r.sessions).toEqual(
      expect.arrayContaining([
        { sessionId: sid['acct-carol-v'], tenantId: expect.any(String), outcome: 'ack', errorCauseName: null },
        { sessionId: sid['acct-carol-c'], tenantId: expect.any(String), outcome: 'timeout', errorCauseName: null },
      ]),
    );
    expect(nas.received.slice(before).map((p) => getString(p, 'Acct-Session-Id'))).toEqual(['acct-carol-v']);
    const enabled = await ok(['user', 'enable', 'carol']);
    expect(enabled).toBe('carol enabled\n');
  });
});

describe('wfc legal', { timeout: 60_000 }, () => {
  const window = ['--from', '2026-03-01T00:00:00Z', '--to', '2026-03-02T00:00:00Z'];
  const why = ['--reason', 'Réquisition judiciaire n° 42', '--reference', 'PV 2026/0042'];

  it('export writes the file (0600), prints the audit id and SHA-256 on stderr, and the trail shows it', async () => {
    const file = join(root, 'export.csv');
    const r = await wfc(['legal', 'export', ...window, '--user', 'alice', '--tenant', 'valence', ...why, '--output', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const m = /^exported (\d+) session\(s\) to (.+); audit (\S+); sha256 ([0-9a-f]{64})\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const body = readFileSync(file, 'utf8');
    expect(createHash('sha256').update(body).digest('hex')).toBe(m![4]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(m![1]).toBe('2');
    expect(body).toContain(sid['acct-ack']);
    expect(body).not.toContain(sid['acct-silent']); // Crest's

    const trail = await ok<Json[]>(['legal', 'exports', '--json']);
    expect(trail[0]).toMatchObject({ auditId: m![3], actor: ACTOR, municipality: 'valence', reference: 'PV 2026/0042', reason: 'Réquisition judiciaire n° 42', format: 'csv', via: 'cli', sessions: 2, sha256: m![4] });
    expect(await ok(['legal', 'exports'])).toContain('PV 2026/0042');

    // Never over an existing file, and nothing audited then.
    await fails(['legal', 'export', ...window, '--user', 'alice', ...why, '--output', file], 1, /already exists/);
    expect(readFileSync(file, 'utf8')).toBe(body);
    expect(await ok<Json[]>(['legal', 'exports', '--json'])).toHaveLength(trail.length);
  });

  it('export to standard output as JSON, federation-wide', async () => {
    const r = await wfc(['legal', 'export', ...window, '--ip', '10.64.0.23', ...why, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { exportedBy: string; sessions: Json[] };
    expect(doc.exportedBy).toBe(ACTOR);
    expect(new Set(doc.sessions.map((s) => s.municipality))).toEqual(new Set(['valence', 'crest']));
    expect(r.stderr).toMatch(new RegExp(`^exported ${doc.sessions.length} session\\(s\\); audit \\S+; sha256 ${createHash('sha256').update(r.stdout).digest('hex')}\\n$`));
  });

  it('export refuses malformed filters naming the field, and missing options as usage errors', async () => {
    await fails(['legal', 'export', '--from', 'yesterday', '--to', '2026-03-02T00:00:00Z', '--user', 'alice', ...why], 1, /from: expected an ISO 8601 date-time/);
    await fails(['legal', 'export', ...window, '--port', '443', '--user', 'alice', ...why], 1, /port: a port needs an ip/);
    await fails(['legal', 'export', ...window, '--user', 'alice', ...why, '--format', 'xml'], 2, /--format/);
    await fails(['legal', 'export', ...window, '--user', 'alice', '--reference', 'PV 1'], 2, /--reason/);
  });

  it('import-nat reads CSV and JSON files; a bad line 3 rejects the file', async () => {
    const header = 'start,end,internal_ip,public_ip,port_start,port_end';
    const csv = join(root, 'nat.csv');
    writeFileSync(csv, `${header}\n2026-03-01T14:00:05Z,2026-03-01T15:00:00Z,10.64.0.23,198.51.100.7,40000,40999\n`);
    expect(await ok<Json>(['legal', 'import-nat', 'valence', csv, '--json'])).toEqual({ imported: 1, matched: 1, duplicates: 0 });
    expect(await ok(['legal', 'import-nat', 'valence', csv])).toBe('imported 0 NAT mapping(s) into valence, 0 matched to sessions; 1 already imported\n');
    const json = join(root, 'nat.json');
    writeFileSync(json, JSON.stringify([{ start: 1772374000, internal_ip: '10.64.9.9', public_ip: '198.51.100.8', port_start: 1, port_end: 2 }]));
    expect(await ok<Json>(['legal', 'import-nat', 'valence', json, '--json'])).toMatchObject({ imported: 1 });
    const bad = join(root, 'bad.csv');
    writeFileSync(bad, `${header}\n2026-03-01T14:00:00Z,,10.64.0.50,198.51.100.9,1,2\n2026-03-01T14:00:00Z,,10.64.0.51,198.51.100.9,9,2\n`);
    await fails(['legal', 'import-nat', 'valence', bad], 1, /NAT log line 3: port_end/);
  });

  it('holds add, list, release', async () => {
    const h = await ok<Json>(['legal', 'holds', 'add', '--tenant', 'valence', '--reference', 'PV 2026/0042', '--reason', 'Conservation demandée', sid['acct-old-held']!, sid['acct-ack']!, '--json']);
    expect(h).toMatchObject({ municipality: 'valence', reference: 'PV 2026/0042', createdBy: ACTOR, releasedAt: null });
    expect([...(h.sessionIds as string[])].sort()).toEqual([sid['acct-old-held'], sid['acct-ack']].sort());
    const list = await ok<Json[]>(['legal', 'holds', 'list', '--json']);
    expect(list.map((x) => x.id)).toContain(h.id);
    expect(await ok(['legal', 'holds', 'list'])).toMatch(/ID\s+MUNICIPALITY\s+REFERENCE/);
    await fails(['legal', 'holds', 'add', '--tenant', 'crest', '--reference', 'PV 1', '--reason', 'a reason long enough', sid['acct-ack']!], 1, /Unknown session/);

    // A second hold, released: the first still keeps its sessions from the purge below.
    const other = await ok<Json>(['legal', 'holds', 'add', '--tenant', 'valence', '--reference', 'PV 2026/0043', '--reason', 'Conservation demandée', sid['acct-old']!, '--json']);
    await fails(['legal', 'holds', 'release', other.id as string, '--tenant', 'crest'], 1, /Unknown legal hold/);
    expect(await ok(['legal', 'holds', 'release', other.id as string])).toBe(`hold ${other.id as string} released (PV 2026/0043)\n`);
    expect((await ok<Json[]>(['legal', 'holds', 'list', '--json'])).map((x) => x.id)).not.toContain(other.id);
    expect((await ok<Json[]>(['legal', 'holds', 'list', '--released', '--json'])).map((x) => x.id)).toContain(other.id);
  });

  it('purge deletes what ended past the retention and no active hold keeps, then finds nothing', async () => {
    const first = await ok<Json>(['legal', 'purge', '--json']);
    expect(first).toMatchObject({ sessions: 1 });
    const second = await ok(['legal', 'purge']);
    expect(second).toMatch(/^purged what ended before \S+ \(365 days\): 0 session\(s\), 0 accounting record\(s\), 0 NAT mapping\(s\), 0 identity archive\(s\)\n$/);
    const all = await ok<Json[]>(['sessions', 'list', '--json']);
    const left = all.map((s) => s.acctSessionId);
    expect(left).toContain('acct-old-held');
    expect(left).not.toContain('acct-old');
    expect(existsSync(join(root, 'export.csv'))).toBe(true);
  });
});
